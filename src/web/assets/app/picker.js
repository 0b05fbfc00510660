// A searchable member picker: radio buttons for the members whose name holds the search, each
// labelled with what tells namesakes apart (role, e-mail when known, member since, latest
// certificate numbers, the end of the user id).
import { $, el, idTail, roleLabel } from "./dom.js";
import { state } from "./state.js";
import { fill, formatDate, locale, S } from "./strings.js";

const SHOWN = 8;

export const memberDetails = (m) => [roleLabel(m.role), memberFacts(m)].join(" · ");

/** What tells a member apart from a namesake, the role aside. */
export function memberFacts(m) {
  return [
    m.email,
    m.member_since ? fill(S.memberSince, { date: formatDate(m.member_since) }) : null,
    m.certificate_numbers?.length ? m.certificate_numbers.join(", ") : null,
    `${S.userId} ${idTail(m.user_id)}`,
  ]
    .filter(Boolean)
    .join(" · ");
}

export class MemberPicker {
  constructor({ input, results, name }) {
    this.input = $(input);
    this.results = $(results);
    this.name = name;
    this.input.addEventListener("input", () => this.render());
  }

  get value() {
    return this.results.querySelector("input:checked")?.value ?? "";
  }

  /** Shows one member, chosen (after adding a mentor, say). */
  choose(userId) {
    const member = state.members.get(userId);
    this.input.value = member ? member.display_name : "";
    this.render(userId);
  }

  reset() {
    this.input.value = "";
    this.render();
  }

  render(chosen = this.value) {
    const needle = this.input.value.trim().toLocaleLowerCase(locale);
    this.results.replaceChildren();
    if (!needle) return;
    const matches = state.memberList.filter((m) => m.display_name.toLocaleLowerCase(locale).includes(needle));
    if (matches.length === 0) {
      this.results.append(el("p", { class: "hint" }, S.memberNoMatch));
      return;
    }
    const names = new Map();
    for (const m of matches) names.set(m.display_name, (names.get(m.display_name) ?? 0) + 1);
    this.results.append(
      el(
        "p",
        { class: "hint" },
        matches.length > SHOWN
          ? fill(S.memberMatchesMore, { count: matches.length, shown: SHOWN })
          : fill(S.memberMatches, { count: matches.length }),
      ),
      ...matches.slice(0, SHOWN).map((m) => {
        const id = `${this.name}-${m.user_id}`;
        return el(
          "div",
          { class: "choice" },
          el("input", {
            type: "radio",
            name: this.name,
            id,
            value: m.user_id,
            checked: m.user_id === chosen,
            required: true,
          }),
          el(
            "label",
            { for: id },
            m.display_name,
            names.get(m.display_name) > 1 ? el("span", { class: "namesake" }, ` (${S.namesake})`) : null,
            el("span", { class: "choice-details" }, memberDetails(m)),
          ),
        );
      }),
    );
  }
}
