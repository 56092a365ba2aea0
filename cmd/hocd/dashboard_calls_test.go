package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shownCallIDs are the call ids of the Calls page's rows, in their order.
func shownCallIDs(b *browser) []string {
	b.t.Helper()
	var ids []string
	for _, l := range evalJS[[]string](b, `[...document.querySelectorAll("#calls-table tbody button")].map((e) => e.getAttribute("aria-label"))`) {
		ids = append(ids, strings.TrimPrefix(l, "Details of call "))
	}
	return ids
}

// checkCallWithoutError opens the detail of the list's second record, which
// has no error: the detail holds elements only, and no stray word (a null
// child once became the text "null" above the fields).
func checkCallWithoutError(t *testing.T, b *browser, callID string, errorCode *string) {
	t.Helper()
	if errorCode != nil {
		t.Fatalf("the list's second record, %s, has an error: the check below would prove nothing", callID)
	}
	b.do("open a record without an error",
		chromedp.Click(chromedp.CSS(`#calls-table tbody tr:nth-child(2) button`)), chromedp.WaitVisible(chromedp.CSS("#detail-metadata")))
	if got := b.text("#call-detail h2"); got != "Call "+callID {
		t.Errorf("detail heading %q, want the record %s", got, callID)
	}
	stray := evalJS[[]string](b, `[...document.querySelector("#call-detail").childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent)`)
	if len(stray) != 0 || strings.Contains(b.text("#call-detail"), "null") {
		t.Errorf("the detail of a record without an error shows text %q outside its fields: %q", stray, b.text("#call-detail"))
	}
	if n := evalJS[int](b, `document.querySelectorAll("#detail-error").length`); n != 0 {
		t.Error("a record without an error shows an error notice")
	}
	b.do("back to the list", chromedp.Click(chromedp.CSS("#detail-back")), chromedp.WaitVisible(chromedp.CSS("#calls-table")))
}

// checkCallsRange narrows the Overview's range to two days and opens Calls:
// it lists the records of those days and counts as many as the Overview
// (which once said 19,912 while Calls said 20,001 of every day), then goes
// back to the 30 days.
func checkCallsRange(t *testing.T, b *browser, h *harness, key []string) {
	t.Helper()
	start, end := day(time.Now().AddDate(0, 0, -1)), day(time.Now())
	b.rerender("open the overview", "overview", chromedp.Click(chromedp.CSS(`#nav a[href="#/overview"]`)))
	b.rerender("apply a two-day range", "overview", chromedp.Steps(
		chromedp.SetValue(chromedp.CSS("#range-start"), start),
		chromedp.SetValue(chromedp.CSS("#range-end"), end),
		chromedp.Click(chromedp.CSS("#range-apply"))))
	overviewCalls := b.text("#stat-calls")
	b.rerender("open calls", "calls", chromedp.Click(chromedp.CSS(`#nav a[href="#/calls"]`)))

	window := "start_date=" + start + "&end_date=" + end
	var s summaryOut
	h.do(http.MethodGet, "/api/v1/telemetry/usage-summary?"+window, nil, key...).decode(t, &s)
	r := h.do(http.MethodGet, "/api/v1/telemetry/usage-history?limit=25&"+window, nil, key...)
	var page []struct {
		CallID string `json:"call_id"`
	}
	r.decode(t, &page)
	if *r.Meta.Total != s.TotalCalls || s.TotalCalls == 0 || s.TotalCalls >= 25 {
		t.Fatalf("the API lists %d records of %s..%s and its summary counts %d: want the same, some, and one page of them",
			*r.Meta.Total, start, end, s.TotalCalls)
	}
	if overviewCalls != shownCount(s.TotalCalls) {
		t.Errorf("the overview shows %s calls for %s..%s, the API %d", overviewCalls, start, end, s.TotalCalls)
	}
	if got := b.text("#calls-count"); !strings.Contains(got, "of "+overviewCalls+" records") {
		t.Errorf("the overview counts %s calls in %s..%s; the calls page says %q", overviewCalls, start, end, got)
	}
	var want []string
	for _, rec := range page {
		want = append(want, rec.CallID)
	}
	if got := shownCallIDs(b); !slices.Equal(got, want) {
		t.Errorf("calls of %s..%s shown %v\nthe API %v", start, end, got, want)
	}
	b.rerender("back to 30 days", "calls", chromedp.Steps(
		chromedp.SetValue(chromedp.CSS("#range-start"), day(time.Now().AddDate(0, 0, -29))),
		chromedp.Click(chromedp.CSS("#range-apply"))))
	if got := b.text("#calls-count"); !strings.Contains(got, "of 30 records") {
		t.Errorf("back on the 30 days the calls page says %q", got)
	}
}
