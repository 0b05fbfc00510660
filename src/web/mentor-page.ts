import { type Html, html } from "./html.js";
import type { Messages } from "./i18n.js";

const fill = (template: string, values: Readonly<Record<string, string>>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);

/** The platform's name in a sentence: its host, e.g. "medlem.nhf.no". */
function platformName(platformUrl: string): string {
  try {
    return new URL(platformUrl).host;
  } catch {
    return platformUrl;
  }
}

/**
 * How to get in: from the member platform, which hands the user over signed in (#token=…); the
 * form for a pasted token stays, folded away, for those who were given one.
 */
export function signInSection(m: Messages, platformUrl: string | null): Html {
  const name = platformUrl === null ? "" : platformName(platformUrl);
  return html`<section id="signin" aria-labelledby="signin-heading" class="card" hidden>
  <h2 id="signin-heading">${m.signInHeading}</h2>
  <p id="signin-platform">${platformUrl === null ? m.signInFromPlatformNoUrl : fill(m.signInFromPlatform, { platform: name })}</p>
  ${platformUrl === null ? "" : html`<p><a class="button-link" id="signin-platform-link" href="${platformUrl}">${fill(m.signInPlatformLink, { platform: name })}</a></p>`}
  <details class="token-signin">
    <summary>${m.signInTokenSummary}</summary>
    <p id="signin-intro">${m.signInIntro}</p>
    <form id="signin-form">
      <label for="token">${m.tokenLabel}</label>
      <textarea id="token" name="token" rows="3" required autocomplete="off" spellcheck="false" aria-describedby="signin-intro"></textarea>
      <button type="submit">${m.signIn}</button>
    </form>
  </details>
</section>`;
}

/** The peer mentor's own view; assets/app/mentor*.js fill it. */
export function mentorSection(m: Messages): Html {
  return html`<section id="mine" aria-labelledby="mine-heading" class="mentor" hidden>
  <h2 id="mine-heading">${m.mineHeading}</h2>
  <div id="mine-list" class="mentor-certificates"></div>
  <section id="mine-badges" aria-labelledby="badges-heading" class="card">
    <h3 id="badges-heading">${m.badgesHeading}</h3>
    <div id="badge-list"></div>
  </section>
  <section id="mine-contacts" aria-labelledby="contacts-heading" class="card">
    <h3 id="contacts-heading">${m.contactsHeading}</h3>
    <p>${m.contactsIntro}</p>
    <div id="contact-list"></div>
  </section>
</section>`;
}
