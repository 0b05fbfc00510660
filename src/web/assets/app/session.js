// Sign-in: the token comes from the URL fragment (#token=…) or the sign-in form and is kept in
// sessionStorage only, so it lives as long as the browser tab.
import { forgetToken, keepToken, onUnauthorized } from "./api.js";
import { $ } from "./dom.js";
import { state } from "./state.js";

export function takeTokenFromFragment() {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const handed = fragment.get("token");
  if (handed) {
    keepToken(handed.trim());
    // The token must not stay in the address bar, the history or a bookmark.
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
}

export function showSignedOut() {
  for (const id of ["session", "mine", "staff", "detail"]) $(id).hidden = true;
  $("signin").hidden = false;
}

export function signOut() {
  forgetToken();
  state.me = null;
  showSignedOut();
}

/** Wires the sign-in form and the sign-out button; `start` runs once a token is kept. */
export function wireSession(start) {
  onUnauthorized(signOut);
  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim();
    if (!value) return;
    keepToken(value);
    $("token").value = "";
    start();
  });
  $("signout").addEventListener("click", () => {
    signOut();
    $("token").focus();
  });
}
