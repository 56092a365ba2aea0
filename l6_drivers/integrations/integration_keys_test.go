package integrations_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"hoc/l6_drivers/integrations"
)

func TestIntegrationKeys_CreateThenFindWithItsIntegration(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		key, err := f.s.CreateIntegrationKey(f.ctx, f.acme, row.ID, hash("secret"))
		if err != nil {
			t.Fatal(err)
		}
		if key.TenantID != f.acme || key.IntegrationID != row.ID || key.RevokedAt != nil || key.LastUsedAt != nil {
			t.Fatalf("key = %+v", key)
		}
		m, err := f.s.FindIntegrationKey(f.ctx, row.ID, hash("secret"))
		if err != nil {
			t.Fatal(err)
		}
		if m.Key.ID != key.ID || !bytes.Equal(m.Key.SecretHash, hash("secret")) || !m.Key.CreatedAt.Equal(key.CreatedAt) ||
			m.Integration.ID != row.ID || m.Integration.TenantID != f.acme || m.Integration.Status != "enabled" {
			t.Fatalf("match = %+v", m)
		}
	})
}

func TestIntegrationKeys_FindNeedsTheHashOfThatIntegration(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		sibling := f.mustCreate(t, f.acme, "staging")
		if _, err := f.s.CreateIntegrationKey(f.ctx, f.acme, row.ID, hash("secret")); err != nil {
			t.Fatal(err)
		}
		for name, lookup := range map[string]struct {
			integrationID string
			hash          []byte
		}{
			"wrong secret":      {row.ID, hash("guess")},
			"other integration": {sibling.ID, hash("secret")},
			"unknown id":        {uuid.NewString(), hash("secret")},
			"malformed id":      {"prod", hash("secret")},
			"empty hash":        {row.ID, nil},
		} {
			if _, err := f.s.FindIntegrationKey(f.ctx, lookup.integrationID, lookup.hash); !errors.Is(err, integrations.ErrIntegrationKeyNotFound) {
				t.Errorf("%s: err = %v, want ErrIntegrationKeyNotFound", name, err)
			}
		}
	})
}

func TestIntegrationKeys_DisabledIntegrationStillMatchesDeletedDoesNot(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		if _, err := f.s.CreateIntegrationKey(f.ctx, f.acme, row.ID, hash("secret")); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetIntegrationStatus(f.ctx, f.acme, row.ID, "disabled"); err != nil {
			t.Fatal(err)
		}
		m, err := f.s.FindIntegrationKey(f.ctx, row.ID, hash("secret"))
		if err != nil || m.Integration.Status != "disabled" {
			t.Fatalf("disabled integration's key = %+v, %v", m, err)
		}
		if err := f.s.SoftDeleteIntegration(f.ctx, f.acme, row.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.FindIntegrationKey(f.ctx, row.ID, hash("secret")); !errors.Is(err, integrations.ErrIntegrationKeyNotFound) {
			t.Fatalf("deleted integration's key: err = %v", err)
		}
	})
}

func TestIntegrationKeys_RevokeAllThenRotate(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		other := f.mustCreate(t, f.acme, "staging")
		for _, secret := range []string{"one", "two"} {
			if _, err := f.s.CreateIntegrationKey(f.ctx, f.acme, row.ID, hash(secret)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.s.CreateIntegrationKey(f.ctx, f.acme, other.ID, hash("kept")); err != nil {
			t.Fatal(err)
		}
		if n, err := f.s.RevokeIntegrationKeys(f.ctx, f.other, row.ID); err != nil || n != 0 {
			t.Fatalf("another tenant revoked %d keys (err %v)", n, err)
		}
		if n, err := f.s.RevokeIntegrationKeys(f.ctx, f.acme, row.ID); err != nil || n != 2 {
			t.Fatalf("revoked %d keys (err %v), want 2", n, err)
		}
		if _, err := f.s.CreateIntegrationKey(f.ctx, f.acme, row.ID, hash("three")); err != nil {
			t.Fatal(err)
		}
		for secret, want := range map[string]bool{"one": false, "two": false, "three": true} {
			_, err := f.s.FindIntegrationKey(f.ctx, row.ID, hash(secret))
			if found := err == nil; found != want {
				t.Errorf("key %q found = %v (err %v), want %v", secret, found, err, want)
			}
		}
		if _, err := f.s.FindIntegrationKey(f.ctx, other.ID, hash("kept")); err != nil {
			t.Fatalf("another integration's key was revoked: %v", err)
		}
	})
}

func TestIntegrationKeys_CreateNeedsTheTenantsLiveIntegration(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		for name, ids := range map[string][2]string{
			"another tenant's": {f.other, row.ID},
			"unknown":          {f.acme, uuid.NewString()},
		} {
			if _, err := f.s.CreateIntegrationKey(f.ctx, ids[0], ids[1], hash(name)); !errors.Is(err, integrations.ErrIntegrationNotFound) {
				t.Errorf("%s integration: err = %v, want ErrIntegrationNotFound", name, err)
			}
		}
	})
}

func TestIntegrationKeys_TouchRecordsLastUse(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		key, err := f.s.CreateIntegrationKey(f.ctx, f.acme, row.ID, hash("secret"))
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
		if err := f.s.TouchIntegrationKey(f.ctx, key.ID, at); err != nil {
			t.Fatal(err)
		}
		m, err := f.s.FindIntegrationKey(f.ctx, row.ID, hash("secret"))
		if err != nil {
			t.Fatal(err)
		}
		want := at.UTC().Truncate(time.Microsecond)
		if m.Key.LastUsedAt == nil || !m.Key.LastUsedAt.Equal(want) || m.Key.LastUsedAt.Location() != time.UTC {
			t.Fatalf("last used = %v, want %v", m.Key.LastUsedAt, want)
		}
		if err := f.s.TouchIntegrationKey(f.ctx, uuid.NewString(), at); !errors.Is(err, integrations.ErrIntegrationKeyNotFound) {
			t.Fatalf("touch unknown key: err = %v", err)
		}
	})
}
