package api_test

func check(e *env) error { return nil }
