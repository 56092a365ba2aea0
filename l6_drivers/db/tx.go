package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// txKey is the context key under which InTx stores its transaction. It holds
// the owning DB so that a transaction of one DB is never used by another.
type txKey struct{ owner *DB }

// txFrom returns the transaction InTx stored in ctx for d, if any.
func (d *DB) txFrom(ctx context.Context) (*gorm.DB, bool) {
	tx, ok := ctx.Value(txKey{owner: d}).(*gorm.DB)
	return tx, ok
}

// InTx runs fn inside one database transaction. The context fn receives
// carries the transaction: every query fn makes through Conn(ctx) with that
// context is part of it. The transaction commits when fn returns nil and rolls
// back when fn returns an error or panics (the panic continues after the
// rollback).
//
// A nested InTx (ctx already carries a transaction of d) joins the outer
// transaction: no savepoint, no commit of its own. An error it returns rolls
// back everything only if the outer fn returns it too; an outer fn that
// swallows an inner error commits whatever the inner fn wrote. On Postgres a
// failed statement aborts the whole transaction, so the outer commit then
// fails instead.
//
// WARNING — SQLite deadlock: SQLite runs on a single connection (see Open).
// While fn runs, that connection belongs to the transaction. A query made
// inside fn with any other context (context.Background(), a context from
// before InTx, or a *gorm.DB kept from elsewhere) waits for the connection
// fn holds, and fn waits for that query: the request hangs until its
// deadline. Inside fn, always use Conn(ctx) with the ctx fn was given.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := d.txFrom(ctx); ok {
		return fn(ctx)
	}
	tx := d.base.WithContext(ctx).Begin()
	if tx.Error != nil {
		return Classify(fmt.Errorf("begin transaction: %w", tx.Error))
	}
	done := false
	defer func() {
		if done {
			return
		}
		// fn panicked: roll back, then let the panic continue.
		_ = rollback(tx)
	}()

	fnErr := fn(context.WithValue(ctx, txKey{owner: d}, tx))
	done = true
	if fnErr != nil {
		if rbErr := rollback(tx); rbErr != nil {
			return errors.Join(fnErr, rbErr)
		}
		return fnErr
	}
	if err := tx.Commit().Error; err != nil {
		return Classify(fmt.Errorf("commit transaction: %w", err))
	}
	return nil
}

// rollback ends tx. A transaction that database/sql already ended (because
// its context was cancelled) is not an error worth reporting.
func rollback(tx *gorm.DB) error {
	err := tx.Rollback().Error
	if err == nil || errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return Classify(fmt.Errorf("roll back transaction: %w", err))
}
