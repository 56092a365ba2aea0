package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is one headless chromium tab, with what its console reported.
type browser struct {
	t        *testing.T
	ctx      context.Context
	shots    string
	mu       sync.Mutex
	problems []string
}

// newBrowser starts chromium with a profile of its own. The console is read
// from the start: an uncaught exception, a console.error or a refused
// resource (a CSP violation) is a failure, except failed API calls, which
// the browser logs on its own and the tests provoke on purpose.
//
// Start the server first: cleanups run last-in first-out, so the browser
// closes its keep-alive connections before the server shuts down (which
// waits for them).
func newBrowser(t *testing.T) *browser {
	t.Helper()
	shots := os.Getenv("HOC_SCREENSHOT_DIR")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "hoc-screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("dashboard screenshots go to %s", shots)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	// A safety net for a page that never becomes ready, not a measurement.
	timed, cancelTimeout := context.WithTimeout(alloc, 2*time.Minute)
	ctx, cancelTab := chromedp.NewContext(timed)
	b := &browser{t: t, ctx: ctx, shots: shots}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || (m.Type == chromedp.ConsoleError && m.Source != "network") {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				b.mu.Unlock()
			}
		}
	}()
	b.do("set the viewport", chromedp.EmulateViewport(1280, 900))
	t.Cleanup(func() {
		if err := chromedp.Cancel(ctx); err != nil {
			t.Errorf("close the browser: %v", err)
		}
		cancelTab()
		cancelTimeout()
		cancelAlloc()
		<-done
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, p := range b.problems {
			t.Errorf("browser console: %s", p)
		}
	})
	return b
}

// requireChromium skips the test without the browser, or fails it in CI,
// where a skipped browser test would pass unseen.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: .ci/run installs the chromium package", chromiumPath)
		}
		t.Skipf("%s is missing (apt-get install chromium); the dashboard's browser tests need it", chromiumPath)
	}
}

// do runs actions and fails the test with the page's text when one fails.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	// A step that waits for what never comes fails on its own, and the
	// page can still be read to say why.
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		view, viewErr := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		if viewErr != nil {
			view = "(the page cannot be read: " + viewErr.Error() + ")"
		}
		b.t.Fatalf("%s: %v\npage text:\n%s", step, err, view)
	}
}

// evalJS runs JavaScript in the page and decodes its result into T.
func evalJS[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// text is the text content of the first element sel matches, trimmed.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(evalJS[string](b, `(() => { const e = document.querySelector(`+strconv.Quote(sel)+`);
		return e ? e.textContent : "<no element " + `+strconv.Quote(sel)+` + ">"; })()`))
}

func (b *browser) texts(sel string) []string {
	b.t.Helper()
	return evalJS[[]string](b, `[...document.querySelectorAll(`+strconv.Quote(sel)+`)].map((e) => e.textContent.trim())`)
}

// rerender runs act, which makes the router render a page, and waits until
// the new rendering of that page is ready (the old one is marked first, so
// it cannot be mistaken for the new one).
func (b *browser) rerender(step, page string, act chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.do(step,
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".page").forEach((p) => { p.dataset.old = "1"; })`),
		act,
		chromedp.WaitVisible(chromedp.CSS(`#page-`+page+`[data-ready="true"]:not([data-old])`)))
}

// voidAction drops an action's value, so that it can run among steps.
func voidAction[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := a(ctx, t)
		return err
	})
}

// choose selects an option as a user would, firing the change event.
func (b *browser) choose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector(` + strconv.Quote(sel) + `);
		s.value = ` + strconv.Quote(value) + `; s.dispatchEvent(new Event("change")); })()`)
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
}

// signIn types the credential into the form and waits for the overview.
func (b *browser) signIn(base, key string) {
	b.t.Helper()
	b.do("sign in",
		chromedp.Navigate(base+"/dashboard#/overview"),
		chromedp.WaitVisible(chromedp.CSS("#credential")),
		chromedp.SendKeys(chromedp.CSS("#credential"), key),
		chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-overview[data-ready="true"]`)))
}

// shownCount is the dashboard's integer format: 12,345.
func shownCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// shownUSD is the dashboard's dollar format of whole cents: $1,234.05.
func shownUSD(cents int64) string { return fmt.Sprintf("$%s.%02d", shownCount(cents/100), cents%100) }
