// Package auth declares the operations that verify credentials and issue
// founder tokens, and binds them to the auth engine.
package auth

import (
	"time"

	spine "hoc/l4_spine"
)

// VerifyTokenInput carries a bearer token exactly as presented.
type VerifyTokenInput struct {
	Token string
}

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

// The auth operations. Verification is public: it is what turns an
// anonymous request into an actor.
var (
	VerifyBearerToken = spine.Declare[VerifyTokenInput, spine.Actor]("auth.credentials.verify_bearer",
		"Verify an Authorization bearer token and return its actor", spine.Public())
	IssueFounderToken = spine.Declare[IssueFounderTokenInput, FounderToken]("auth.founder.issue_token",
		"Issue a founder token signed with the founder secret", spine.Allow(spine.ActorFounder))
)
