// build preview's Record view: camera and microphone, a teleprompter at speaking pace,
// a 3-2-1 countdown, at most 3 minutes, play back, retake or keep (upload to the server).
"use strict";

const section = document.querySelector(".record");
const WORDS_PER_SECOND = Number(section.dataset.wordsPerSecond);
const LIMIT_S = Number(section.dataset.limit);
const COUNTDOWN_S = Number(section.dataset.countdown);
const TYPES = ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm", "video/mp4"];

const $ = (id) => document.getElementById(id);
const live = $("live"), playback = $("playback"), prompter = $("prompter");
const say = (text) => { $("record-status").textContent = text; };
let stream = null, recorder = null, recording = null, limitTimer = null, ticker = null;

function show(...ids) {
  for (const id of ["start", "stop", "retake", "keep", "camera"]) $(id).hidden = !ids.includes(id);
}

async function turnOnCamera() {
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: { echoCancellation: true, noiseSuppression: true },
    });
  } catch (error) {
    say(`No camera or microphone: ${error.message}. Allow them for this page, then try again.`);
    show("camera");
    return;
  }
  live.srcObject = stream;
  $("start").disabled = false;
  show("start");
  say("Ready. Press Start: a countdown of three, then you are on.");
}

function countdown(seconds) {
  const shown = $("countdown");
  shown.hidden = false;
  return new Promise((resolve) => {
    const step = (left) => {
      if (left === 0) { shown.hidden = true; resolve(); return; }
      shown.textContent = String(left);
      setTimeout(() => step(left - 1), 1000);
    };
    step(seconds);
  });
}

// The script scrolls past the reading line at WORDS_PER_SECOND, from its first word to
// its last; the viewer may still scroll by hand.
function scrollPrompter(startedAt) {
  const words = prompter.textContent.trim().split(/\s+/).length;
  const seconds = Math.max(words / WORDS_PER_SECOND, 5);
  const range = prompter.scrollHeight - prompter.clientHeight;
  const frame = () => {
    if (!recorder || recorder.state !== "recording") return;
    const done = Math.min((performance.now() - startedAt) / 1000 / seconds, 1);
    prompter.scrollTop = done * range;
    if (done < 1) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

function clock(seconds) {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

async function start() {
  show();
  prompter.scrollTop = 0;
  await countdown(COUNTDOWN_S);
  const mimeType = TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
  recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 2_500_000 });
  const chunks = [];
  recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
  recorder.onstop = () => finished(new Blob(chunks, { type: recorder.mimeType }));
  recorder.start(1000);
  const startedAt = performance.now();
  scrollPrompter(startedAt);
  ticker = setInterval(() => { $("elapsed").textContent = clock((performance.now() - startedAt) / 1000); }, 250);
  limitTimer = setTimeout(stop, LIMIT_S * 1000);
  show("stop");
  say("Recording…");
}

function stop() {
  clearTimeout(limitTimer);
  clearInterval(ticker);
  if (recorder && recorder.state === "recording") recorder.stop();
}

function finished(blob) {
  recording = blob;
  live.hidden = true;
  playback.hidden = false;
  playback.src = URL.createObjectURL(blob);
  show("retake", "keep");
  say("Play it back. Keep it, or retake.");
}

function retake() {
  if (playback.src) URL.revokeObjectURL(playback.src);
  playback.removeAttribute("src");
  playback.hidden = true;
  live.hidden = false;
  recording = null;
  $("elapsed").textContent = "0:00";
  show("start");
  say("Ready when you are.");
}

async function keep() {
  show();
  say("Saving your recording…");
  const type = recording.type.split(";")[0];
  try {
    const response = await fetch("/api/recording", { method: "POST", headers: { "Content-Type": type }, body: recording });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
    say(`Saved as ${answer.file}; rebuilding the video…`);
    await rebuilt(answer.generation);
  } catch (error) {
    say(`Not kept: ${error.message}`);
    show("retake", "keep");
  }
}

// Wait until the server has rebuilt after the save, then show the video in the preview.
async function rebuilt(after) {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const state = await (await fetch("/api/state", { cache: "no-store" })).json();
    if (state.generation > after && state.building.length === 0) {
      if (state.problems.length) throw new Error(state.problems.join("; "));
      location.href = "/#video";
      return;
    }
    if (state.building.length) say(`Saved; ${state.status}`);
  }
}

$("start").addEventListener("click", start);
$("stop").addEventListener("click", stop);
$("retake").addEventListener("click", retake);
$("keep").addEventListener("click", keep);
$("camera").addEventListener("click", turnOnCamera);
turnOnCamera();
