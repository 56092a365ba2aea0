package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	opsadapter "hoc/l3_adapters/ops"
)

func newOpsCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "ops",
		Short: "Print the operation registry listing",
		Long: `Print the operation registry listing as a JSON array sorted by name: each
operation's name, input and output types, description, and policy (actors,
scope, access). It is the same list as GET /api/v1/fdr/operations.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			var catalog *opsadapter.Catalog
			return oneShot(*cfg, stderr, func(ctx context.Context) error {
				list, err := catalog.List(ctx)
				if err != nil {
					return err
				}
				return printJSON(stdout, list)
			}, &catalog)
		},
	}
}
