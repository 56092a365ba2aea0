package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core's browser build, vendored under testdata/axe-core
// (its VERSION and licences beside it) so that the browser tests need no
// network: `npm pack axe-core@<VERSION>` and copy package/axe.min.js,
// LICENSE and LICENSE-3RD-PARTY.txt to update it.
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile("testdata/axe-core/axe.min.js")
	return string(b), err
})

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axeRun injects axe-core when the document does not have it yet (the
// dashboard is one document, so once per sign-in) and checks the whole
// page as it is now, on the WCAG 2.x A and AA rules and axe's best
// practices. The page's CSP does not apply: DevTools evaluates the script.
const axeRun = `(async () => {
	const r = await axe.run(document, { resultTypes: ["violations"] });
	return r.violations.map((v) => ({ id: v.id, impact: v.impact || "", help: v.help,
		targets: v.nodes.map((n) => n.target.join(" ")) }));
})()`

// checkAxe fails the test for every serious or critical accessibility
// violation on the page as shown now, and logs the counts by impact, so
// that a run says what the lesser ones are.
func (b *browser) checkAxe(what string) {
	b.t.Helper()
	for _, v := range b.axe() {
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("axe on %s: %s %s (%s) at %v", what, v.Impact, v.ID, v.Help, v.Targets)
		}
	}
}

// axe returns the page's violations, after logging their counts by impact.
func (b *browser) axe() []axeViolation {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatalf("axe-core: %v", err)
	}
	if !evalJS[bool](b, `typeof window.axe === "object"`) {
		b.do("inject axe-core", chromedp.Evaluate[chromedp.Void](src))
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("run axe-core: %v", err)
	}
	counts := map[string]int{}
	var rules []string
	for _, v := range got {
		counts[v.Impact] += len(v.Targets)
		rules = append(rules, fmt.Sprintf("%s:%s×%d", v.Impact, v.ID, len(v.Targets)))
	}
	slices.Sort(rules)
	b.t.Logf("axe: critical %d, serious %d, moderate %d, minor %d [%s]",
		counts["critical"], counts["serious"], counts["moderate"], counts["minor"], strings.Join(rules, " "))
	return got
}
