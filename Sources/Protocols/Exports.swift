// Users of the protocols layer get Deferred, Failure and the time interface with one import.
@_exported import TwisterDeferred
