package main

import (
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildVersion is what `hocd version` and `hocd --version` print: the
// module version and the VCS revision the binary was built from, as the Go
// toolchain recorded them (go build in a git checkout stamps the revision,
// its time and whether the tree had uncommitted changes).
type buildVersion struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
}

func readBuildVersion() buildVersion {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return buildVersion{Version: "unknown"}
	}
	v := buildVersion{Version: info.Main.Version, Go: info.GoVersion}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the VCS revision hocd was built from",
		Long: `Print {"version", "revision", "time", "modified", "go"}: the module version
and the git revision this binary was built from (hocd --version prints the same).`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return printJSON(stdout, readBuildVersion()) },
	}
}
