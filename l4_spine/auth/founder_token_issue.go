package auth

import (
	"context"
	"time"

	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
)

// IssueFounderToken is `hocd token founder`.
var IssueFounderToken = spine.Declare[IssueFounderTokenInput, FounderToken]("auth.founder.issue_token",
	"Issue a founder token signed with the founder secret", spine.Allow(spine.ActorFounder))

// IssueFounderTokenInput asks for a founder token.
type IssueFounderTokenInput struct {
	Subject string
	Reason  string
	TTL     time.Duration
}

// FounderToken is a freshly issued founder token.
type FounderToken struct {
	Token string
}

func (h handlers) issueFounderToken(_ context.Context, in IssueFounderTokenInput) (FounderToken, error) {
	tok, err := h.founders.Issue(in.Subject, in.Reason, in.TTL)
	if err != nil {
		return FounderToken{}, fault.InvalidRequest(err.Error())
	}
	return FounderToken{Token: tok}, nil
}
