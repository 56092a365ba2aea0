package telemetry_test

import (
	"fmt"
	"testing"
	"time"
)

func TestCountRecordsSince_CountsOneIntegrationFromTheInstantOn(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		since := base.Add(-time.Minute)
		offsets := []time.Duration{
			-2 * time.Minute, -time.Minute - time.Microsecond, // before the window
			-time.Minute, -time.Minute + time.Microsecond, -30 * time.Second, 0, 2 * time.Minute, // inside it
		}
		for i, d := range offsets {
			f.mustInsert(t, record(f.acme, f.prod, fmt.Sprintf("prod-%d", i), base.Add(d)))
		}
		f.mustInsert(t,
			record(f.acme, f.dev, "dev-1", base),
			record(f.other, f.otherInt, "other-1", base),
		)
		cases := []struct {
			name                string
			tenant, integration string
			want                int64
		}{
			{"prod", f.acme, f.prod, 5},
			{"dev", f.acme, f.dev, 1},
			{"another tenant's integration id", f.acme, f.otherInt, 0},
			{"other", f.other, f.otherInt, 1},
		}
		for _, tc := range cases {
			n, err := f.s.CountRecordsSince(f.ctx, tc.tenant, tc.integration, since)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.want {
				t.Errorf("%s: %d records since %s, want %d", tc.name, n, since, tc.want)
			}
		}
	})
}
