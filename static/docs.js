// The /docs page: Swagger UI over the service's own OpenAPI document. A file, not an
// inline script, so the page keeps a script-src 'self' content security policy.
// deno-lint-ignore no-undef
globalThis.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#docs",
  deepLinking: true,
  // Do not send the document to validator.swagger.io.
  validatorUrl: null,
});
