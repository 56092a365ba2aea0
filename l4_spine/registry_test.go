package spine

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"hoc/l5_engines/fault"
)

type echoIn struct{ Text string }
type echoOut struct{ Text string }

// testScopes are the scopes the registry tests' operations may require.
var testScopes = []string{"telemetry:read", "telemetry:write", "telemetry:*"}

func quietConfig() Config {
	return Config{Scopes: testScopes, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func founderCtx() context.Context {
	return WithActor(context.Background(), Actor{Type: ActorFounder, ID: "alice"})
}

func TestRegistry_RegisterExecuteRoundTripRecordsDuration(t *testing.T) {
	t.Parallel()
	echo := Declare[echoIn, echoOut]("test.echo.say", "Echo the text")
	metrics := prometheus.NewRegistry()
	cfg := quietConfig()
	cfg.Metrics = metrics
	reg, err := New(cfg, Bind(echo, func(_ context.Context, in echoIn) (echoOut, error) {
		return echoOut{Text: strings.ToUpper(in.Text)}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := echo.Call(founderCtx(), reg, echoIn{Text: "hi"})
	if err != nil || out.Text != "HI" {
		t.Fatalf("Call = %+v, %v; want HI, nil", out, err)
	}
	if n := testutil.CollectAndCount(metrics, "hoc_operation_duration_seconds"); n != 1 {
		t.Fatalf("histogram series = %d, want 1", n)
	}
	h := reg.duration.WithLabelValues("test.echo.say", "ok").(prometheus.Histogram)
	if got := histogramCount(t, h); got != 1 {
		t.Fatalf("observations = %d, want 1", got)
	}
}

func TestRegistry_UnknownOperationIsInternal(t *testing.T) {
	t.Parallel()
	known := Declare[echoIn, echoOut]("test.unknown.known", "bound")
	stray := Declare[echoIn, echoOut]("test.unknown.stray", "never bound")
	reg, err := New(quietConfig(), Bind(known, identity))
	if err != nil {
		t.Fatal(err)
	}
	_, err = stray.Call(founderCtx(), reg, echoIn{})
	if !errors.Is(err, ErrUnknownOperation) {
		t.Fatalf("err = %v, want ErrUnknownOperation", err)
	}
	if fe, _ := fault.As(err); fe == nil || fe.Kind != fault.KindInternal {
		t.Fatalf("err kind = %v, want internal", err)
	}
}

func TestRegistry_DuplicateAndBadNamesReportedTogether(t *testing.T) {
	t.Parallel()
	a := Declare[echoIn, echoOut]("test.dup.same", "first")
	bad := Declare[echoIn, echoOut]("Test.Bad-Name", "bad")
	single := Declare[echoIn, echoOut]("nodots", "bad too")
	_, err := New(quietConfig(),
		Bind(a, identity), Bind(a, identity), Bind(bad, identity), Bind(single, identity))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{`"test.dup.same": bound 2 times`, `"Test.Bad-Name": name must match`, `"nodots": name must match`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRegistry_UnboundListsDeclaredOperationsWithoutAHandler(t *testing.T) {
	t.Parallel()
	bound := Declare[echoIn, echoOut]("unbound.echo.bound", "bound")
	Declare[echoIn, echoOut]("unbound.echo.missing", "not bound")
	Declare[echoIn, echoOut]("test.unbound.ignored", "a test's own operation")
	reg, err := New(quietConfig(), Bind(bound, identity))
	if err != nil {
		t.Fatal(err)
	}
	if got := reg.Unbound(); !slices.Contains(got, "unbound.echo.missing") || slices.Contains(got, "unbound.echo.bound") ||
		slices.Contains(got, "test.unbound.ignored") {
		t.Fatalf("Unbound() = %v, want unbound.echo.missing and neither the bound nor the test operation", got)
	}
}

func TestRegistry_UnknownScopeRefusesToBuild(t *testing.T) {
	t.Parallel()
	typo := Declare[echoIn, echoOut]("test.scope.typo", "reads", RequireScope("telemetry:reed"))
	_, err := New(quietConfig(), Bind(typo, identity))
	if err == nil || !strings.Contains(err.Error(), `"test.scope.typo": requires the unknown scope "telemetry:reed"`) {
		t.Fatalf("err = %v, want the unknown scope named", err)
	}
}

func TestRegistry_HandlerErrorKeepsKindAndCode(t *testing.T) {
	t.Parallel()
	op := Declare[echoIn, echoOut]("test.errors.conflict", "conflict")
	want := fault.Conflict("slug taken").WithDetail("field", "slug")
	reg, err := New(quietConfig(), Bind(op, func(context.Context, echoIn) (echoOut, error) {
		return echoOut{}, want
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = op.Call(founderCtx(), reg, echoIn{})
	fe, ok := fault.As(err)
	if !ok || fe.Kind != fault.KindConflict || fe.Code != fault.CodeConflict || fe.Details["field"] != "slug" {
		t.Fatalf("err = %#v, want the handler's conflict", err)
	}
}

func TestRegistry_PlainErrorsBecomeInternalOrUnavailable(t *testing.T) {
	t.Parallel()
	plain := Declare[echoIn, echoOut]("test.normalize.plain", "plain")
	down := Declare[echoIn, echoOut]("test.normalize.down", "down")
	reg, err := New(quietConfig(),
		Bind(plain, func(context.Context, echoIn) (echoOut, error) {
			return echoOut{}, errors.New("pq: syntax error at SELECT")
		}),
		Bind(down, func(context.Context, echoIn) (echoOut, error) { return echoOut{}, fakeUnavailable{} }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = plain.Call(founderCtx(), reg, echoIn{})
	if fe, _ := fault.As(err); fe == nil || fe.Code != fault.CodeInternal || strings.Contains(fe.Message, "syntax") {
		t.Fatalf("plain error = %#v, want INTERNAL with a fixed message", err)
	}
	_, err = down.Call(founderCtx(), reg, echoIn{})
	if fe, _ := fault.As(err); fe == nil || fe.Code != fault.CodeUnavailable {
		t.Fatalf("unavailable error = %#v, want UNAVAILABLE", err)
	}
}

type fakeUnavailable struct{}

func (fakeUnavailable) Error() string     { return "connection refused" }
func (fakeUnavailable) Unavailable() bool { return true }

func TestRegistry_PanicBecomesInternalAndProcessSurvives(t *testing.T) {
	t.Parallel()
	op := Declare[echoIn, echoOut]("test.panic.boom", "panics")
	metrics := prometheus.NewRegistry()
	cfg := quietConfig()
	cfg.Metrics = metrics
	reg, err := New(cfg, Bind(op, func(context.Context, echoIn) (echoOut, error) { panic("boom") }))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		_, err = op.Call(founderCtx(), reg, echoIn{})
		fe, ok := fault.As(err)
		if !ok || fe.Kind != fault.KindInternal || fe.Message != fault.InternalMessage {
			t.Fatalf("call %d: err = %#v, want INTERNAL", i, err)
		}
	}
	h := reg.duration.WithLabelValues("test.panic.boom", "INTERNAL").(prometheus.Histogram)
	if got := histogramCount(t, h); got != 2 {
		t.Fatalf("INTERNAL observations = %d, want 2", got)
	}
}

func TestRegistry_OperationsListedSortedByName(t *testing.T) {
	t.Parallel()
	c := Declare[echoIn, echoOut]("test.list.c", "C")
	a := Declare[echoIn, echoOut]("test.list.a", "A")
	b := Declare[echoIn, []echoOut]("test.list.b", "B")
	reg, err := New(quietConfig(),
		Bind(c, identity), Bind(a, identity), Bind(b, func(context.Context, echoIn) ([]echoOut, error) { return nil, nil }))
	if err != nil {
		t.Fatal(err)
	}
	got := reg.Operations()
	want := []OperationInfo{
		{Name: "test.list.a", Input: "spine.echoIn", Output: "spine.echoOut", Description: "A", Actors: []string{}, Access: "write"},
		{Name: "test.list.b", Input: "spine.echoIn", Output: "[]spine.echoOut", Description: "B", Actors: []string{}, Access: "write"},
		{Name: "test.list.c", Input: "spine.echoIn", Output: "spine.echoOut", Description: "C", Actors: []string{}, Access: "write"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Operations() = %+v\nwant %+v", got, want)
	}
}

func TestRegistry_PolicyEnforcedBeforeHandler(t *testing.T) {
	t.Parallel()
	founderOnly := Declare[echoIn, echoOut]("test.policy.founder", "founder only", Allow(ActorFounder))
	scoped := Declare[echoIn, echoOut]("test.policy.scoped", "needs scope", RequireScope("telemetry:read"))
	ran := 0
	count := func(context.Context, echoIn) (echoOut, error) { ran++; return echoOut{}, nil }
	reg, err := New(quietConfig(), Bind(founderOnly, count), Bind(scoped, count))
	if err != nil {
		t.Fatal(err)
	}
	machine := WithActor(context.Background(), Actor{Type: ActorMachine, TenantID: "t", Scopes: []string{"telemetry:write"}})
	wildcard := WithActor(context.Background(), Actor{Type: ActorMachine, TenantID: "t", Scopes: []string{"telemetry:*"}})
	cases := []struct {
		name string
		ctx  context.Context
		op   *Handle[echoIn, echoOut]
		code string
	}{
		{"no actor", context.Background(), founderOnly, fault.CodeMissingAuth},
		{"wrong actor type", machine, founderOnly, fault.CodeForbidden},
		{"missing scope", machine, scoped, fault.CodeForbidden},
		{"wildcard scope", wildcard, scoped, ""},
		{"founder", founderCtx(), founderOnly, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := ran
			_, err := tc.op.Call(tc.ctx, reg, echoIn{})
			if tc.code == "" {
				if err != nil || ran != before+1 {
					t.Fatalf("err = %v, ran %d→%d", err, before, ran)
				}
				return
			}
			fe, _ := fault.As(err)
			if fe == nil || fe.Code != tc.code || ran != before {
				t.Fatalf("err = %v (handler ran %v), want %s", err, ran != before, tc.code)
			}
		})
	}
}

func TestRegistry_TransactionalNeedsRunnerAndWrapsHandler(t *testing.T) {
	t.Parallel()
	op := Declare[echoIn, echoOut]("test.tx.write", "writes")
	if _, err := New(quietConfig(), Bind(op, identity, Transactional())); err == nil {
		t.Fatal("want an error without a transaction runner")
	}
	tx := &recordingTx{}
	cfg := quietConfig()
	cfg.Tx = tx
	reg, err := New(cfg, Bind(op, func(ctx context.Context, in echoIn) (echoOut, error) {
		if ctx.Value(inTxKey{}) == nil {
			t.Error("handler ran outside the transaction")
		}
		return echoOut{}, errors.New("fail")
	}, Transactional()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Call(founderCtx(), reg, echoIn{}); err == nil {
		t.Fatal("want the handler's error")
	}
	if tx.calls != 1 || tx.lastErr == nil {
		t.Fatalf("tx calls = %d, last error = %v; want 1 call that saw the error (and rolled back)", tx.calls, tx.lastErr)
	}
}

type inTxKey struct{}

type recordingTx struct {
	calls   int
	lastErr error
}

func (r *recordingTx) InTx(ctx context.Context, fn func(context.Context) error) error {
	r.calls++
	r.lastErr = fn(context.WithValue(ctx, inTxKey{}, true))
	return r.lastErr
}

func identity(_ context.Context, in echoIn) (echoOut, error) { return echoOut(in), nil }

func histogramCount(t *testing.T, h prometheus.Histogram) uint64 {
	t.Helper()
	m := &dto.Metric{}
	if err := h.Write(m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}

type recordingGuard struct{ writes []bool }

func (g *recordingGuard) Admit(_ context.Context, _ Actor, write bool) error {
	g.writes = append(g.writes, write)
	if write {
		return fault.New(fault.KindForbidden, fault.CodeTenantSuspended, "suspended")
	}
	return nil
}

func TestRegistry_TenantGuardSeesEveryTenantOperationByAccess(t *testing.T) {
	t.Parallel()
	write := Declare[echoIn, echoOut]("test.guard.write", "writes")
	read := Declare[echoIn, echoOut]("test.guard.read", "reads", ReadOnly())
	any := Declare[echoIn, echoOut]("test.guard.any", "any state", AnyLifecycle())
	guard := &recordingGuard{}
	cfg := quietConfig()
	cfg.Guard = guard
	reg, err := New(cfg, Bind(write, identity), Bind(read, identity), Bind(any, identity))
	if err != nil {
		t.Fatal(err)
	}
	tenantCtx := WithActor(context.Background(), Actor{Type: ActorMachine, TenantID: "t1"})
	if _, err := write.Call(tenantCtx, reg, echoIn{}); fault.KindOf(err) != fault.KindForbidden {
		t.Fatalf("write: %v", err)
	}
	if _, err := read.Call(tenantCtx, reg, echoIn{}); err != nil {
		t.Fatalf("read: %v", err)
	}
	if _, err := any.Call(tenantCtx, reg, echoIn{}); err != nil {
		t.Fatalf("any: %v", err)
	}
	if _, err := write.Call(founderCtx(), reg, echoIn{}); err != nil {
		t.Fatalf("founder (no tenant): %v", err)
	}
	if len(guard.writes) != 2 || !guard.writes[0] || guard.writes[1] {
		t.Fatalf("guard calls = %v, want [true false]", guard.writes)
	}
}

func TestAfterCommit_RunsOnlyAfterTheOutermostCommit(t *testing.T) {
	t.Parallel()
	tx := &recordingTx{}
	var ran []string
	err := InTx(context.Background(), tx, func(ctx context.Context) error {
		AfterCommit(ctx, func() { ran = append(ran, "outer") })
		return InTx(ctx, tx, func(ctx context.Context) error {
			AfterCommit(ctx, func() { ran = append(ran, "inner") })
			if len(ran) != 0 {
				t.Fatal("a hook ran before the commit")
			}
			return nil
		})
	})
	if err != nil || strings.Join(ran, ",") != "outer,inner" {
		t.Fatalf("ran %v, err %v; want outer,inner after the commit", ran, err)
	}
	ran = nil
	boom := errors.New("boom")
	err = InTx(context.Background(), tx, func(ctx context.Context) error {
		AfterCommit(ctx, func() { ran = append(ran, "rolled back") })
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want the function's error", err)
	}
	if len(ran) != 0 {
		t.Fatalf("a hook of a rolled back transaction ran: %v", ran)
	}
	AfterCommit(context.Background(), func() { ran = append(ran, "no transaction") })
	if len(ran) != 1 {
		t.Fatal("without a transaction the hook must run at once")
	}
}

// BenchmarkRegistry_Dispatch is one call of a no-op operation through the
// whole chain, from a context that carries a deadline as every HTTP
// request's does.
func BenchmarkRegistry_Dispatch(b *testing.B) {
	op := Declare[echoIn, echoOut]("test.bench.noop", "no-op")
	reg, err := New(quietConfig(), Bind(op, identity))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(founderCtx(), 10*time.Second)
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := op.Call(ctx, reg, echoIn{Text: "x"}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRegistry_OperationsListThePolicy(t *testing.T) {
	t.Parallel()
	read := Declare[echoIn, echoOut]("test.listpolicy.read", "reads", Allow(ActorMachine, ActorCustomer),
		RequireScope("telemetry:read"), ReadOnly())
	reg, err := New(quietConfig(), Bind(read, identity))
	if err != nil {
		t.Fatal(err)
	}
	got := reg.Operations()
	want := []OperationInfo{{Name: "test.listpolicy.read", Description: "reads", Input: "spine.echoIn",
		Output: "spine.echoOut", Actors: []string{"machine", "customer"}, Scope: "telemetry:read", Access: "read"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Operations() = %+v, want %+v", got, want)
	}
}
