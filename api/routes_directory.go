package api

// directoryRoutes is filled in with its handlers.
func directoryRoutes() []*route { return nil }
