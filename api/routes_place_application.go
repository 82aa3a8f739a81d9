package api

// placeApplicationRoutes is filled in with its handlers.
func placeApplicationRoutes() []*route { return nil }
