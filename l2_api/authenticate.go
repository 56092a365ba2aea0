package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	authadapter "hoc/l3_adapters/auth"
	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
)

const (
	headerAPIKey         = "X-AOS-Key"
	headerIntegrationKey = "X-CUS-Integration-Key"
	localActor           = "hoc.actor"
)

// authenticate resolves the request's one credential into an actor (SPEC
// §2.1) and puts it in the context every layer below reads. It applies to
// everything under /api/v1, so an unknown path without a credential is 401
// before it is 404.
func authenticate(auth *authadapter.Authenticator) fiber.Handler {
	return func(c *fiber.Ctx) error {
		authz := c.Get(fiber.HeaderAuthorization)
		apiKey := c.Get(headerAPIKey)
		integrationKey := c.Get(headerIntegrationKey)
		if authz != "" && apiKey != "" {
			return fault.New(fault.KindInvalidRequest, fault.CodeMixedAuth, "send either Authorization or X-AOS-Key, not both")
		}
		var actor spine.Actor
		var err error
		switch {
		case authz != "":
			token, ok := bearerToken(authz)
			if !ok {
				return invalidCredentials("jwt_invalid")
			}
			actor, err = auth.VerifyBearer(c.UserContext(), token)
		case apiKey != "":
			actor, err = auth.VerifyAPIKey(c.UserContext(), apiKey)
		case integrationKey != "":
			actor, err = auth.VerifyIntegrationKey(c.UserContext(), integrationKey)
		default:
			return fault.New(fault.KindUnauthenticated, fault.CodeMissingAuth, "authentication required")
		}
		if err != nil {
			return err
		}
		c.Locals(localActor, actor)
		c.SetUserContext(spine.WithActor(c.UserContext(), actor))
		return c.Next()
	}
}

// bearerToken extracts the token of an "Authorization: Bearer" header; the
// scheme is case-insensitive (RFC 7235).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

func invalidCredentials(reason string) *fault.Error {
	return fault.New(fault.KindUnauthenticated, fault.CodeInvalidCredentials, "the credential is not valid").
		WithDetail("reason", reason)
}
