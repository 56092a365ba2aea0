package db_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	models "hoc/l7_models"
)

// The gorm models are documentation of the tables as much as code: every
// model's columns, nullability and named indexes must be what the migrations
// create, on every backend.
func TestModels_MirrorTheMigratedTables(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		for _, model := range []any{
			&models.Tenant{}, &models.TenantEvent{}, &models.Integration{}, &models.IntegrationKey{},
			&models.APIKey{}, &models.UsageRecord{}, &models.ProtectionEvent{}, &models.Price{},
		} {
			assertMirrors(t, d.Conn(dbtest.Context(t)), model)
		}
	})
}

// assertMirrors compares model's gorm schema with its table in conn.
func assertMirrors(t *testing.T, conn *gorm.DB, model any) {
	t.Helper()
	stmt := &gorm.Statement{DB: conn}
	if err := stmt.Parse(model); err != nil {
		t.Fatal(err)
	}
	table := stmt.Schema.Table
	columns, err := conn.Migrator().ColumnTypes(model)
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	nullable := make(map[string]bool, len(columns))
	for _, c := range columns {
		n, _ := c.Nullable()
		nullable[c.Name()] = n
	}
	for _, field := range stmt.Schema.Fields {
		n, ok := nullable[field.DBName]
		if !ok {
			t.Errorf("%s: model column %s is not in the table", table, field.DBName)
			continue
		}
		if pointer := field.FieldType.Kind() == reflect.Pointer; pointer != n {
			t.Errorf("%s.%s: nullable = %v but the model field is a pointer: %v", table, field.DBName, n, pointer)
		}
		delete(nullable, field.DBName)
	}
	for column := range nullable {
		t.Errorf("%s: table column %s has no model field", table, column)
	}
	var want, got []string
	for _, idx := range stmt.Schema.ParseIndexes() {
		want = append(want, idx.Name)
	}
	// Listed from the catalog: gorm's Migrator.GetIndexes leaves out, on
	// Postgres, every index a foreign key references.
	query := "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
	if conn.Dialector.Name() == "postgres" {
		query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?"
	}
	var indexes []string
	if err := conn.Raw(query, table).Find(&indexes).Error; err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	for _, name := range indexes {
		if strings.HasPrefix(name, "ux_") || strings.HasPrefix(name, "ix_") {
			got = append(got, name)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: indexes = %v, model declares %v", table, got, want)
	}
}
