-- Who owns a user's identity: the organization that created the user (its staff may rename them),
-- or no organization for users the platform or an operator made. Another organization cannot
-- rename or enrol a user it does not own. Frozen once released. Runs unchanged on PostgreSQL 15
-- server and on PGlite.
ALTER TABLE users ADD COLUMN home_organization_id uuid REFERENCES organizations (id);

-- Users from before: the organization of their first membership.
UPDATE users u SET home_organization_id = first.organization_id
FROM (
  SELECT DISTINCT ON (user_id) user_id, organization_id
  FROM memberships
  ORDER BY user_id, created_at, organization_id
) AS first
WHERE first.user_id = u.id;
