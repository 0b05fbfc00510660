// What the server offers, read once from its OpenAPI document, so the page shows only what works.
export const features = {
  listSearch: false,
  counts: null,
  bulkRevoke: false,
  suspend: false,
  removeMember: false,
  editType: false,
  importDryRun: false,
};

const LIST = "/v1/organizations/{orgId}/certifications";

export async function detectFeatures() {
  let doc;
  try {
    doc = await (await fetch("/openapi.json")).json();
  } catch {
    return features;
  }
  const paths = doc?.paths ?? {};
  const params = (path, method) => (paths[path]?.[method]?.parameters ?? []).map((p) => p.name);
  features.listSearch = params(LIST, "get").includes("q");
  features.counts =
    Object.keys(paths).find((path) =>
      /^\/v1\/organizations\/\{orgId\}\/certifications\/(counts|summary|stats)/.test(path),
    ) ?? null;
  features.bulkRevoke = Boolean(paths[`${LIST}/bulk-revoke`]?.post);
  features.suspend = Boolean(paths["/v1/certifications/{id}/suspend"]?.post);
  features.removeMember = Boolean(paths["/v1/organizations/{orgId}/members/{userId}"]?.delete);
  features.editType = Boolean(paths["/v1/certification-types/{id}"]?.patch);
  features.importDryRun = params(`${LIST}/import`, "post").includes("dry_run");
  return features;
}
