import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

/// Handlers render templates: users of the web layer get the template types (Loader, TemplateValue, …) with it.
@_exported import TwisterTemplates
