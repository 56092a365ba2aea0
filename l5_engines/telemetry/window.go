package telemetry

import (
	"time"

	"hoc/l5_engines/fault"
)

// dateLayout is a UTC calendar day.
const dateLayout = "2006-01-02"

// Window limits (SPEC §3.3, §7).
const (
	defaultWindowDays = 30
	maxWindowDays     = 366
)

// Window is an inclusive range of UTC days.
type Window struct {
	Start, End string
}

// resolveWindow applies the defaults (end today, start 29 days before end:
// 30 days including today) and the rules: start not after end, at most 366
// days counting both ends.
func resolveWindow(start, end string, now time.Time) (Window, error) {
	endDay := now.UTC().Truncate(24 * time.Hour)
	var fields fault.Fields
	if end != "" {
		d, err := time.Parse(dateLayout, end)
		if err != nil {
			fields.Add("end_date", "must be a date in the form YYYY-MM-DD")
		}
		endDay = d
	}
	startDay := endDay.AddDate(0, 0, -(defaultWindowDays - 1))
	if start != "" {
		d, err := time.Parse(dateLayout, start)
		if err != nil {
			fields.Add("start_date", "must be a date in the form YYYY-MM-DD")
		}
		startDay = d
	}
	if err := fields.Err(); err != nil {
		return Window{}, err
	}
	switch days := int(endDay.Sub(startDay).Hours()/24) + 1; {
	case endDay.Year() < 1:
		fields.Add("end_date", "must be a date from 0001-01-01 on")
	case startDay.Year() < 1:
		fields.Add("start_date", "must be a date from 0001-01-01 on")
	case startDay.After(endDay):
		fields.Add("start_date", "must not be after end_date")
	case days > maxWindowDays:
		fields.Add("start_date", "the window may span at most %d days", maxWindowDays)
	}
	if err := fields.Err(); err != nil {
		return Window{}, err
	}
	return Window{Start: startDay.Format(dateLayout), End: endDay.Format(dateLayout)}, nil
}
