package spine

import "context"

type afterCommitKey struct{}

// AfterCommit runs fn once the transaction of ctx has committed, or at once
// when ctx carries none (the write it follows has already committed). It is
// for effects that must not happen for a write that may still roll back,
// such as dropping a cached fact that the write changes: dropped earlier, a
// concurrent request could cache the old value again before the commit. If
// the transaction rolls back, fn never runs.
func AfterCommit(ctx context.Context, fn func()) {
	hooks, ok := ctx.Value(afterCommitKey{}).(*[]func())
	if !ok {
		fn()
		return
	}
	*hooks = append(*hooks, fn)
}

// InTx runs fn inside one transaction of tx and then, if it committed, the
// functions fn registered with AfterCommit, in order. The registry's
// transaction middleware uses it for transactional operations; code that
// opens a transaction of its own (group commit) uses it too. Inside another
// InTx it joins the outer transaction, whose commit runs the functions.
func InTx(ctx context.Context, tx TxRunner, fn func(ctx context.Context) error) error {
	if _, nested := ctx.Value(afterCommitKey{}).(*[]func()); nested {
		return tx.InTx(ctx, fn)
	}
	var hooks []func()
	err := tx.InTx(context.WithValue(ctx, afterCommitKey{}, &hooks), fn)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		h()
	}
	return nil
}
