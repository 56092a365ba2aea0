package telemetry

import (
	"errors"
	"strings"

	"hoc/l6_drivers/db"
)

// Store reads and writes usage records and their daily rollups.
type Store struct {
	db *db.DB
	// recordsPerInsert and deltasPerUpsert bound the rows of one statement;
	// see chunkSizes.
	recordsPerInsert int
	deltasPerUpsert  int
	// dayText renders usage_daily.day as 'YYYY-MM-DD' text.
	dayText string
	// byteOrder follows a text column in ORDER BY so that it sorts by bytes
	// on Postgres too, whatever the database's collation: SQLite's default
	// order, so both backends list ties the same way.
	byteOrder string
}

// NewStore returns a store on d.
func NewStore(d *db.DB) (*Store, error) {
	if d == nil {
		return nil, errors.New("telemetry store: nil database")
	}
	s := &Store{db: d, dayText: "day"}
	if d.Dialect() == db.DialectPostgres {
		// A date column scans as a time.Time through database/sql; text
		// keeps the one 'YYYY-MM-DD' form on both backends.
		s.dayText = "to_char(day, 'YYYY-MM-DD')"
		s.byteOrder = ` COLLATE "C"`
	}
	s.recordsPerInsert, s.deltasPerUpsert = chunkSizes(d.Dialect())
	return s, nil
}

// chunkSizes returns how many records and rollup deltas go into one
// statement. On Postgres every column is one array parameter, so the size
// only bounds the memory of one statement; 1000 is also the largest batch
// the API accepts. SQLite runs in-process, where a statement costs no round
// trip, but its Go driver matches parameters to placeholders in quadratic
// time: 1000 records take about 250 ms as one statement and 50 ms as ten of
// 100.
func chunkSizes(d db.Dialect) (records, deltas int) {
	if d == db.DialectPostgres {
		return 1000, 1000
	}
	return 100, 100
}

// inListChunk bounds the values of one IN (...) list.
const inListChunk = 1000

// placeholders writes n rows of "(?,?,...)" with cols placeholders each,
// separated by commas.
func placeholders(b *strings.Builder, n, cols int) {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
}

// chunks splits n items into consecutive [start, end) ranges of at most size.
func chunks(n, size int) [][2]int {
	var out [][2]int
	for start := 0; start < n; start += size {
		out = append(out, [2]int{start, min(start+size, n)})
	}
	return out
}
