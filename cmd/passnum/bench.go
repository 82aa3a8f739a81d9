package main

import (
	"context"
	"io"
)

func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usageError{"passnum bench n'est pas encore disponible"}
}
