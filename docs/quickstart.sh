# Build hocd. The first build downloads about 500 MB of modules and compiles
# every dependency (about 260 CPU-seconds: several minutes on 2 cores);
# later builds take seconds.
make build

# Start the server in the background. With nothing configured it creates
# hoc.db, an embedded SQLite file, and migrates it.
export HOC_ADDR=${HOC_ADDR:-127.0.0.1:8080}
export HOC_FOUNDER_SECRET=$(openssl rand -hex 32)
./hocd &
until curl -sf "$HOC_ADDR/ready" >/dev/null; do sleep 0.2; done

# As the founder (the platform operator), create a tenant.
TOKEN=$(./hocd token founder --sub alice --reason "first tenant")
TENANT=$(curl -s -X POST "$HOC_ADDR/api/v1/fdr/tenants" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name": "Acme Robotics", "plan": "pro"}' | jq -r .data.id)

# Give it an integration (the CLI prints its key once) and send telemetry
# the way the SDKs do. hoc prices the call from its price table (812 × $2.50
# + 96 × $10.00 per 1M tokens = 2,990 micro-dollars) and keeps the SDK's own
# cost_cents as client_cost_cents.
KEY=$(./hocd integrations create --tenant "$TENANT" --name prod | jq -r .key)
curl -s -X POST "$HOC_ADDR/api/v1/telemetry/llm-usage" \
  -H "X-CUS-Integration-Key: $KEY" -H 'Content-Type: application/json' \
  -d '{"call_id": "call-0123456789abcdef", "provider": "openai", "model": "gpt-4o",
       "tokens_in": 812, "tokens_out": 96, "cost_cents": 1}'
echo

# Read the tenant's usage with a machine API key, as a dashboard would.
READ_KEY=$(./hocd apikeys create --tenant "$TENANT" --name dashboard --scopes telemetry:read | jq -r .key)
curl -s "$HOC_ADDR/api/v1/telemetry/usage-summary" -H "X-AOS-Key: $READ_KEY"
echo

# Stop the server (Ctrl-C does it when hocd runs in the foreground).
kill %1
wait
