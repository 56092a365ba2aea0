package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"hoc/l6_drivers/db"
)

func newMigrateCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations and exit",
		Long: `Apply every pending migration to the configured database and exit; prints
{"status": "migrated", "dialect": ...}. hocd serve migrates on start too, so
this is for deployments that migrate in a separate step.`,
		Example: `  hocd migrate --database-url postgres://hoc@db:5432/hoc`,
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			// The start of the core graph applies the migrations.
			var d *db.DB
			return oneShot(*cfg, stderr, func(ctx context.Context) error {
				if err := d.Ready(ctx); err != nil {
					return err
				}
				return printJSON(stdout, map[string]string{"status": "migrated", "dialect": string(d.Dialect())})
			}, &d)
		},
	}
}
