// The staff workspace's "expiring" view: the pages of the list beyond the first.
// Each part of the dictionary has the same keys in both languages; i18n.ts puts the parts together.

export const nb = {
  expiringShowMore: "Vis flere",
  expiringShown: "Viser {shown} av {total}.",
};

export const en: typeof nb = {
  expiringShowMore: "Show more",
  expiringShown: "Showing {shown} of {total}.",
};
