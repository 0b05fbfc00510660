// The members view of /app: the server's search, page by page ("show more").
// Same keys in both languages; i18n.ts puts the parts together.

export const nb = {
  membersShowMore: "Vis flere medlemmer",
  membersSearching: "Søker …",
  membersMoreShown: "Viser {count} av {total} medlemmer. De nye står nederst i tabellen.",
};

export const en: typeof nb = {
  membersShowMore: "Show more members",
  membersSearching: "Searching …",
  membersMoreShown: "Showing {count} of {total} members. The new ones are at the bottom of the table.",
};
