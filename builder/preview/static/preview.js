// build preview: keep the page current, copy texts, share. No framework, no inline script
// (the page's Content-Security-Policy allows scripts from this server only).
"use strict";

const POLL_MS = 500;
const generation = Number(document.body.dataset.generation);

// A new generation (a rebuild, an error, a share) reloads the page; the browser keeps the
// scroll position. Otherwise only the status line changes (what is being rebuilt).
async function poll() {
  try {
    const response = await fetch("/api/state", { cache: "no-store" });
    if (response.ok) {
      const state = await response.json();
      if (state.generation !== generation) {
        location.reload();
        return;
      }
      showStatus(state);
    }
  } catch (error) {
    showStatus({ state: "error", status: "The preview server has stopped." });
  }
  setTimeout(poll, POLL_MS);
}

function showStatus(state) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = state.status;
  status.className = `status status-${state.state}`;
}

function setUpCopy() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy).textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch (error) {
        button.textContent = "Select and copy";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
  }
}

function setUpChooser() {
  const select = document.getElementById("who");
  if (select) select.addEventListener("change", () => select.form.submit());
}

function setUpPhoneWidth() {
  const button = document.getElementById("phone");
  const frame = document.getElementById("site-frame");
  if (!button || !frame) return;
  button.addEventListener("click", () => {
    const phone = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(phone));
    frame.classList.toggle("phone", phone);
  });
}

function setUpShare() {
  const button = document.getElementById("share-button");
  const status = document.getElementById("share-status");
  if (!button) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Uploading and checking the links… (the local store may take a few seconds to start)";
    try {
      const response = await fetch(`/api/share?for=${encodeURIComponent(button.dataset.for)}`, {
        method: "POST",
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error || response.statusText);
      sessionStorage.setItem("preview-scroll-to", "share");
      location.reload();
    } catch (error) {
      status.textContent = `Not shared: ${error.message}`;
      button.disabled = false;
    }
  });
}

// After a reload the browser restores the scroll position; new errors must still be seen
// (on a phone the bar with them does not stay on screen).
function revealProblems() {
  const problems = document.getElementById("problems");
  if (problems && problems.getBoundingClientRect().bottom < 0) problems.scrollIntoView();
}

// After sharing, the page reloads with the link: show it.
function revealShare() {
  const wanted = sessionStorage.getItem("preview-scroll-to");
  sessionStorage.removeItem("preview-scroll-to");
  if (wanted) document.getElementById(wanted)?.scrollIntoView();
}

document.documentElement.classList.add("js");
window.addEventListener("load", () => setTimeout(() => { revealShare(); revealProblems(); }, 50));
setUpCopy();
setUpChooser();
setUpPhoneWidth();
setUpShare();
setTimeout(poll, POLL_MS);
