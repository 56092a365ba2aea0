package main

import (
	"context"
	"io"

	opsadapter "hoc/l3_adapters/ops"
)

// runOps prints the registry listing: the same adapter and the same list as
// GET /api/v1/fdr/operations.
func runOps(cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ops", &cfg, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var catalog *opsadapter.Catalog
	return oneShot(cfg, stderr, func(ctx context.Context) error {
		list, err := catalog.List(ctx)
		if err != nil {
			return err
		}
		return printJSON(stdout, list)
	}, &catalog)
}
