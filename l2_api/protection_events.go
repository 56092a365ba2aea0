package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	protectionadapter "hoc/l3_adapters/protection"
	"hoc/l4_spine/protection"
	"hoc/l5_engines/fault"
)

// ProtectionEventJSON is a protection event object (SPEC §4.3).
type ProtectionEventJSON struct {
	ID         string         `json:"id"`
	OccurredAt string         `json:"occurred_at"`
	TenantID   string         `json:"tenant_id"`
	ActorType  string         `json:"actor_type"`
	ActorID    string         `json:"actor_id"`
	Endpoint   string         `json:"endpoint"`
	Method     string         `json:"method"`
	Operation  string         `json:"operation"`
	Decision   string         `json:"decision"`
	Dimension  string         `json:"dimension"`
	Details    map[string]any `json:"details"`
}

// ToProtectionEventJSON presents an event; details are always an object.
func ToProtectionEventJSON(e protection.Event) ProtectionEventJSON {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	return ProtectionEventJSON{
		ID: e.ID, OccurredAt: formatTime(e.OccurredAt), TenantID: e.TenantID, ActorType: e.ActorType,
		ActorID: e.ActorID, Endpoint: e.Endpoint, Method: e.Method, Operation: e.Operation,
		Decision: e.Decision, Dimension: e.Dimension, Details: details,
	}
}

type protectionEventRoutes struct{ events *protectionadapter.Events }

// register adds the event listings: founders' across tenants, and a
// tenant's own (a protected route).
func (r protectionEventRoutes) register(rt router) {
	rt.fdr.Get("/protection/events", r.listAll)
	rt.v1.Get("/protection/events", rt.guard, r.list)
	rt.v1.Get("/protection/events/summary", rt.guard, r.summary)
}

// eventCountJSON is one row of the events summary.
type eventCountJSON struct {
	Dimension string `json:"dimension"`
	Decision  string `json:"decision"`
	Count     int64  `json:"count"`
}

// summary handles GET /api/v1/protection/events/summary?since=&dimension=.
func (r protectionEventRoutes) summary(c *fiber.Ctx) error {
	in, err := eventsQuery(c)
	if err != nil {
		return err
	}
	counts, err := r.events.Summary(c.UserContext(), in)
	if err != nil {
		return err
	}
	out := make([]eventCountJSON, len(counts))
	for i, n := range counts {
		out[i] = eventCountJSON{Dimension: n.Dimension, Decision: n.Decision, Count: n.Count}
	}
	return respond(c, fiber.StatusOK, out)
}

// listAll handles GET /api/v1/fdr/protection/events?tenant_id=&since=
// &dimension=&limit=&offset=. A tenant_id that is not a UUID names no
// tenant and lists nothing.
func (r protectionEventRoutes) listAll(c *fiber.Ctx) error {
	in, err := eventsQuery(c)
	if err != nil {
		return err
	}
	in.TenantID = c.Query("tenant_id")
	p, err := r.events.ListAll(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respondEvents(c, in, p)
}

// list handles GET /api/v1/protection/events?since=&dimension=&limit=
// &offset=: the caller's own tenant's events.
func (r protectionEventRoutes) list(c *fiber.Ctx) error {
	in, err := eventsQuery(c)
	if err != nil {
		return err
	}
	p, err := r.events.List(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respondEvents(c, in, p)
}

// eventsQuery reads since, dimension, limit and offset. since is RFC 3339;
// a '+' of its offset that arrived unencoded (and so decoded as a space) is
// taken back, since no RFC 3339 timestamp holds a space. A since that does
// not parse is 400; the dimension's rules are the engine's.
func eventsQuery(c *fiber.Ctx) (protection.EventQuery, error) {
	in := protection.EventQuery{Dimension: c.Query("dimension")}
	if v := c.Query("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, strings.ReplaceAll(v, " ", "+"))
		if err != nil {
			return in, fault.InvalidRequest("since must be an RFC 3339 timestamp")
		}
		t = t.UTC()
		in.Since = &t
	}
	limit, offset, err := listParams(c)
	in.Limit, in.Offset = limit, offset
	return in, err
}

func respondEvents(c *fiber.Ctx, in protection.EventQuery, p protection.EventPage) error {
	items := make([]ProtectionEventJSON, len(p.Items))
	for i, e := range p.Items {
		items[i] = ToProtectionEventJSON(e)
	}
	return respondPage(c, items, offsetPage(p.Total, in.Limit, in.Offset, len(items)))
}
