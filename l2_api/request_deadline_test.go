package api

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
)

// requestCtx is a request context as the request-id middleware leaves it,
// with a deadline of timeout.
func requestCtx(t *testing.T, timeout time.Duration) *fiber.Ctx {
	t.Helper()
	app := fiber.New()
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	t.Cleanup(func() { app.ReleaseCtx(c) })
	d := &requestDeadline{timeout: timeout}
	c.Locals(localDeadline, d)
	c.SetUserContext(d.start(spine.WithRequestID(context.Background(), "req-1")))
	t.Cleanup(d.stop)
	return c
}

// TestOperationContext_DecodingDoesNotSpendTheOperationsTime: a body that
// took 4.9 s of a 5 s deadline to read leaves its operations a whole 5 s,
// with the request's values; before, they had 0.1 s, and a valid batch was
// answered 503 UNAVAILABLE "a required dependency is unavailable".
func TestOperationContext_DecodingDoesNotSpendTheOperationsTime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := requestCtx(t, 5*time.Second)
		first := c.UserContext()
		time.Sleep(4900 * time.Millisecond) // advances the bubble's fake clock: decoding a large body
		ctx, err := operationContext(c)
		if err != nil {
			t.Fatal(err)
		}
		deadline, ok := ctx.Deadline()
		if !ok || time.Until(deadline) != 5*time.Second {
			t.Fatalf("operations get %v (deadline set: %v), want 5s", time.Until(deadline), ok)
		}
		if spine.RequestID(ctx) != "req-1" || c.UserContext() != ctx {
			t.Fatalf("the renewed context lost the request: id %q", spine.RequestID(ctx))
		}
		if first.Err() == nil {
			t.Fatal("the first deadline's timer is still running")
		}
		time.Sleep(5 * time.Second) // advances the bubble's fake clock to the renewed deadline
		synctest.Wait()
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Fatalf("the renewed deadline did not end: %v", ctx.Err())
		}
	})
}

// TestOperationContext_ARequestOutOfTimeBlamesNoDependency: reading that
// outlasts the whole deadline is 503 with a message about the request, not
// about a dependency, and nothing is called.
func TestOperationContext_ARequestOutOfTimeBlamesNoDependency(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := requestCtx(t, 5*time.Second)
		time.Sleep(5001 * time.Millisecond) // advances the bubble's fake clock past the whole deadline
		_, err := operationContext(c)
		fe, ok := fault.As(err)
		if !ok || fe.Kind != fault.KindUnavailable || fe.Message == fault.Unavailable(nil).Message {
			t.Fatalf("got %v, want 503 that names the request's own time", err)
		}
	})
}

// TestReadBatch_StopsWhenTheRequestEnds: a batch is read record by record
// until the request's context ends.
func TestReadBatch_StopsWhenTheRequestEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := readBatch(ctx, newJSONDecoder([]byte(`{"records":[{`+base+`}]}`)))
	if err != errOutOfTime {
		t.Fatalf("got %v, want errOutOfTime", err)
	}
}
