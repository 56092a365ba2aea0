package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// postgresBaseline writes with pgx directly, over a pool of exactly the
// connections the workload uses: a batch is one unnest insert and one
// rollup upsert in a transaction, a single row one prepared (cached)
// autocommit insert.
type postgresBaseline struct {
	url  string
	rows *baselineRows
}

// The baseline's statements. unnest turns one array per column into rows,
// so a batch is one statement with 16 parameters whatever its size.
var (
	pgBatchInsertSQL = "INSERT INTO usage_records (" + baselineColumns + ") SELECT * FROM unnest(" +
		"$1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], " +
		"$9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::jsonb[], $14::timestamptz[], " +
		"$15::timestamptz[], $16::bytea[])" + insertIgnore
	pgSingleInsertSQL = numbered("INSERT INTO usage_records (" + baselineColumns + ") VALUES " +
		placeholderRows(1, baselineColumnCount) + insertIgnore)
	pgRollupUpsertSQL = numbered(rollupUpsertSQL)
)

func (b *postgresBaseline) batches(ctx context.Context, conns, size int, d time.Duration) (loadResult, error) {
	pool, err := b.open(ctx, conns)
	if err != nil {
		return loadResult{}, err
	}
	defer pool.Close()
	return closedLoop(ctx, conns, d, func(ctx context.Context) (int, error) {
		rows := b.rows.next(size, time.Now())
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, pgBatchInsertSQL, b.columns(rows)...)
			if err != nil {
				return fmt.Errorf("baseline batch insert: %w", err)
			}
			if tag.RowsAffected() != int64(len(rows)) {
				return fmt.Errorf("baseline batch inserted %d rows, want %d", tag.RowsAffected(), len(rows))
			}
			day := rows[0].at.Truncate(24 * time.Hour)
			if _, err := tx.Exec(ctx, pgRollupUpsertSQL, baselineRollupArgs(b.rows.tenant, day, b.rows.integration, rows)...); err != nil {
				return fmt.Errorf("baseline rollup upsert: %w", err)
			}
			return nil
		})
		return len(rows), err
	})
}

func (b *postgresBaseline) singles(ctx context.Context, conns int, d time.Duration) (loadResult, error) {
	pool, err := b.open(ctx, conns)
	if err != nil {
		return loadResult{}, err
	}
	defer pool.Close()
	return closedLoop(ctx, conns, d, func(ctx context.Context) (int, error) {
		r := b.rows.next(1, time.Now())[0]
		tag, err := pool.Exec(ctx, pgSingleInsertSQL, r.values(r.id, b.rows.tenant, b.rows.integration)...)
		if err != nil {
			return 0, fmt.Errorf("baseline single insert: %w", err)
		}
		return int(tag.RowsAffected()), nil
	})
}

// open returns a pool of conns connections, every one of them already
// connected, so the clock does not time connection setup.
func (b *postgresBaseline) open(ctx context.Context, conns int) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(b.url)
	if err != nil {
		return nil, fmt.Errorf("baseline pool: %w", err)
	}
	cfg.MaxConns = int32(conns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("baseline pool: %w", err)
	}
	held := make([]*pgxpool.Conn, 0, conns)
	defer func() {
		for _, c := range held {
			c.Release()
		}
	}()
	for range conns {
		c, err := pool.Acquire(ctx)
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("baseline connection: %w", err)
		}
		held = append(held, c)
	}
	return pool, nil
}

// columns returns rows as one array per baselineColumns column, the
// parameters of pgBatchInsertSQL.
func (b *postgresBaseline) columns(rows []baselineRow) []any {
	n := len(rows)
	ids, tenants, integrations := make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
	callIDs, providers, models := make([]string, n), make([]string, n), make([]string, n)
	tokensIn, tokensOut, costCents := make([]int64, n), make([]int64, n), make([]int64, n)
	costMicros, latencies := make([]int64, n), make([]int64, n)
	policies, metadata := make([]string, n), make([]string, n)
	occurred, received, hashes := make([]time.Time, n), make([]time.Time, n), make([][]byte, n)
	for i, r := range rows {
		ids[i], tenants[i], integrations[i] = r.id, b.rows.tenant, b.rows.integration
		callIDs[i], providers[i], models[i] = r.callID, benchProvider, benchModel
		tokensIn[i], tokensOut[i], costCents[i] = r.tokensIn, benchTokensOut, benchCostCents
		costMicros[i], latencies[i] = baselineCostMicros, benchLatencyMS
		policies[i], metadata[i] = baselinePolicy, benchMetadata
		occurred[i], received[i], hashes[i] = r.at, r.at, r.hash
	}
	return []any{ids, tenants, integrations, callIDs, providers, models, tokensIn, tokensOut, costCents,
		costMicros, latencies, policies, metadata, occurred, received, hashes}
}
