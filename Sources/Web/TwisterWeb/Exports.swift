/// The whole web stack in one import: `import TwisterWeb` brings the HTTP vocabulary (TwisterHTTP), the
/// twisted.web server (TwisterWebServer), the HTTP client (TwisterHTTPClient) and the Tornado layer
/// (TwisterTornado, with TwisterTemplates), over the reactor and Deferreds of TwisterProtocols.
@_exported import TwisterProtocols
@_exported import TwisterHTTP
@_exported import TwisterWebServer
@_exported import TwisterHTTPClient
@_exported import TwisterTornado
@_exported import TwisterTemplates
