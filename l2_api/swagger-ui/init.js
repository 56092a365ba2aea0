// Renders /openapi.json with Swagger UI. "Authorize" takes an API key
// (X-AOS-Key), an integration key or a bearer token; "Try it out" sends
// requests to this server with it. Nothing is fetched from elsewhere: the
// online validator badge is off, and the page's policy allows this origin
// only.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: true,
  displayRequestDuration: true,
  filter: true,
  persistAuthorization: false,
});
