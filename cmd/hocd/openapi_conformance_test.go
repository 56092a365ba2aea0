package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"

	api "hoc/l2_api"
)

// The OpenAPI document is written by hand; what keeps it true is that every
// response of the HTTP suite — every call of harness.do — is checked against
// it: its status must be one the operation documents, and its body must
// match that response's schema (libopenapi-validator, JSON Schema 2020-12
// with format assertions), read with closeObjects. A handler that writes a
// field the document does not describe, drops a required one, or answers
// an undocumented status fails the test that made the call.
var (
	specOnce      sync.Once
	specValidator validator.Validator
	specErr       string
)

func openAPIValidator(t testing.TB) validator.Validator {
	t.Helper()
	specOnce.Do(func() {
		raw, err := closeObjects(api.OpenAPIDocument())
		if err != nil {
			specErr = err.Error()
			return
		}
		doc, err := libopenapi.NewDocument(raw)
		if err != nil {
			specErr = err.Error()
			return
		}
		v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
		if len(errs) > 0 {
			specErr = errs[0].Error()
			return
		}
		if ok, verrs := v.ValidateDocument(); !ok {
			specErr = "the document is not valid OpenAPI 3.1: " + verrs[0].Message + ": " + verrs[0].Reason
			return
		}
		specValidator = v
	})
	if specErr != "" {
		t.Fatalf("openapi.json: %s", specErr)
	}
	return specValidator
}

// checkConforms fails t when the response to method path is not one the
// document describes for that operation (see conformanceProblem).
func checkConforms(t testing.TB, method, path string, status int, header http.Header, body []byte) {
	t.Helper()
	if problem := conformanceProblem(t, method, path, status, header, body); problem != "" {
		t.Fatal(problem)
	}
}

// conformanceProblem says how the response to method path differs from what
// the document describes for that operation, or returns "" when it
// conforms. Paths the document does not hold (a test's request for a route
// that does not exist) have nothing to conform to: that every route is
// documented is TestOpenAPI's job.
func conformanceProblem(t testing.TB, method, path string, status int, header http.Header, body []byte) string {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	resp := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: req}
	ok, errs := openAPIValidator(t).ValidateHttpResponse(req, resp)
	if ok {
		return ""
	}
	var msgs []string
	for _, e := range errs {
		if e.IsPathMissingError() || e.IsOperationMissingError() {
			return ""
		}
		msg := e.Message
		if e.Reason != "" {
			msg += ": " + e.Reason
		}
		for _, se := range e.SchemaValidationErrors {
			reason := se.Reason
			if reason == "false schema" { // what closeObjects added
				reason = "a field the document does not describe"
			}
			msg += "\n    " + se.FieldPath + ": " + reason
		}
		msgs = append(msgs, msg)
	}
	return fmt.Sprintf("%s %s → %d does not conform to openapi.json:\n  %s\nbody: %s", method, path, status,
		strings.Join(msgs, "\n  "), body)
}

// closeObjects returns the document with "unevaluatedProperties": false on
// every object schema that lists properties, so that a response field the
// document does not describe fails validation. The published document stays
// open (a client must ignore fields it does not know); the tests hold the
// server to writing only what it describes. A schema that is one part of an
// allOf describes only part of the object, so it is left open and the
// schema that holds the allOf is closed instead.
func closeObjects(raw []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	parts := map[string]bool{} // components referenced as allOf parts
	var findParts func(v any)
	findParts = func(v any) {
		switch n := v.(type) {
		case map[string]any:
			if all, ok := n["allOf"].([]any); ok {
				for _, p := range all {
					if ref, ok := p.(map[string]any)["$ref"].(string); ok {
						parts[ref] = true
					}
				}
			}
			for _, c := range n {
				findParts(c)
			}
		case []any:
			for _, c := range n {
				findParts(c)
			}
		}
	}
	findParts(doc)
	var close func(v any, part bool)
	close = func(v any, part bool) {
		switch n := v.(type) {
		case map[string]any:
			_, hasProps := n["properties"]
			_, hasAll := n["allOf"]
			if (hasProps || hasAll) && !part && n["additionalProperties"] == nil {
				n["unevaluatedProperties"] = false
			}
			for k, c := range n {
				if k == "allOf" {
					for _, p := range c.([]any) {
						close(p, true)
					}
					continue
				}
				close(c, false)
			}
		case []any:
			for _, c := range n {
				close(c, false)
			}
		}
	}
	schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for name, schema := range schemas {
		close(schema, parts["#/components/schemas/"+name])
	}
	for k, v := range doc {
		if k != "components" {
			close(v, false)
		}
	}
	for k, v := range doc["components"].(map[string]any) {
		if k != "schemas" {
			close(v, false)
		}
	}
	return json.Marshal(doc)
}
