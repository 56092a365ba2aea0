package main

import (
	"context"
	"io"

	"hoc/l6_drivers/db"
)

// runMigrate applies migrations (the start of the core graph does) and
// reports the database is ready.
func runMigrate(cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", &cfg, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var d *db.DB
	return oneShot(cfg, stderr, func(ctx context.Context) error {
		if err := d.Ready(ctx); err != nil {
			return err
		}
		return printJSON(stdout, map[string]string{"status": "migrated", "dialect": string(d.Dialect())})
	}, &d)
}
