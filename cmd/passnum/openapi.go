package main

import (
	"encoding/json"
	"io"

	"passnum/api"
)

// openAPI prints the OpenAPI document the server answers at
// /api/v1/openapi.json, for linters and client generators.
func openAPI(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("openapi", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(api.OpenAPI())
}
