/* The listening station: play/pause and previous/next section, speed, larger text, high contrast,
   the element being read highlighted and kept in view from the narration's timings (in the page),
   and a kiosk mode (?kiosk: full screen, back to the language list after a few idle minutes;
   ?idle=SECONDS sets how many). No network, no framework: it works from file://. */
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var kiosk = params.has("kiosk");
  var root = document.documentElement;
  var store = {
    get: function (key) { try { return localStorage.getItem("station-" + key); } catch (e) { return null; } },
    set: function (key, value) { try { localStorage.setItem("station-" + key, value); } catch (e) { /* file:// may refuse */ } }
  };

  function carryKiosk() {
    // Links keep the kiosk mode and its idle time from page to page.
    if (!kiosk) return;
    root.classList.add("kiosk");
    document.querySelectorAll("a[href$='.html']").forEach(function (a) {
      a.setAttribute("href", a.getAttribute("href") + location.search);
    });
  }

  function toggle(id, cls) {
    var button = document.getElementById(id);
    if (!button) return;
    function apply(on) {
      root.classList.toggle(cls, on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    apply(store.get(cls) === "1");
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      apply(on);
      store.set(cls, on ? "1" : "0");
    });
  }

  function idleReturn(home) {
    // Back to the language list after the idle time, unless the narration is playing.
    var seconds = parseFloat(params.get("idle") || "180");
    var timer = null;
    function reset() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var playing = Array.prototype.some.call(document.querySelectorAll("audio"), function (a) { return !a.paused; });
        if (playing) { reset(); return; }
        store.set("larger", "0");
        store.set("contrast", "0");
        if (home) location.href = home;
        else reset();
      }, seconds * 1000);
    }
    ["pointerdown", "keydown", "touchstart", "wheel", "scroll"].forEach(function (name) {
      window.addEventListener(name, reset, { passive: true, capture: true });
    });
    document.addEventListener("play", reset, true);
    document.addEventListener("pause", reset, true);
    reset();
    function fullScreen() {
      if (!document.fullscreenElement && root.requestFullscreen) root.requestFullscreen().catch(function () {});
    }
    window.addEventListener("pointerdown", fullScreen, { capture: true });
    window.addEventListener("keydown", fullScreen, { capture: true });
  }

  function station() {
    var data = document.getElementById("narration");
    if (!data) return;
    var parts = JSON.parse(data.textContent).parts;
    var players = [];  // in the narration's order (data-part), which may differ from the page's
    document.querySelectorAll(".player").forEach(function (p) { players[parseInt(p.getAttribute("data-part"), 10)] = p; });
    var speed = document.getElementById("speed");
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var current = null;

    function rate() { return parseFloat(speed.value) || 1; }

    function highlight(n) {
      var audio = players[n].querySelector("audio");
      var time = audio.currentTime;
      var cue = null;
      parts[n].cues.forEach(function (c) { if (c[1] <= time) cue = c; });
      var element = cue ? document.getElementById(cue[0]) : null;
      if (element === current) return;
      if (current) { current.classList.remove("reading"); current.removeAttribute("aria-current"); }
      current = element;
      if (!element) return;
      element.classList.add("reading");
      element.setAttribute("aria-current", "true");
      var box = element.getBoundingClientRect();
      if (box.top < 80 || box.bottom > window.innerHeight - 40) {
        element.scrollIntoView({ block: "center", behavior: reduced ? "auto" : "smooth" });
      }
    }

    function show(player, playing) {
      var button = player.querySelector(".play");
      button.querySelector(".label").textContent = button.getAttribute(playing ? "data-pause" : "data-play");
      button.querySelector(".icon").textContent = playing ? "⏸" : "▶";
    }

    function start(n) {
      players.forEach(function (p, i) { if (i !== n) p.querySelector("audio").pause(); });
      var audio = players[n].querySelector("audio");
      audio.playbackRate = rate();
      var played = audio.play();
      if (played && played.catch) played.catch(function () { show(players[n], false); });
    }

    players.forEach(function (player, n) {
      var audio = player.querySelector("audio");
      var frame = null;
      function follow() { highlight(n); frame = audio.paused ? null : requestAnimationFrame(follow); }
      audio.addEventListener("play", function () { show(player, true); if (!frame) follow(); });
      audio.addEventListener("pause", function () { show(player, false); });
      audio.addEventListener("timeupdate", function () { highlight(n); });
      audio.addEventListener("seeked", function () { highlight(n); });
      audio.addEventListener("ended", function () {
        if (n + 1 < players.length) { players[n + 1].querySelector("audio").currentTime = 0; start(n + 1); }
      });
      player.addEventListener("click", function (event) {
        var button = event.target.closest("button");
        if (!button) return;
        var action = button.getAttribute("data-action");
        if (action === "play") {
          if (audio.paused) start(n); else audio.pause();
        } else {
          var to = action === "next" ? n + 1 : n - 1;
          if (to < 0 || to >= players.length) return;
          audio.pause();
          players[to].querySelector("audio").currentTime = 0;
          players[to].scrollIntoView({ block: "start", behavior: reduced ? "auto" : "smooth" });
          players[to].querySelector(".play").focus({ preventScroll: true });
          start(to);
        }
      });
    });
    var chosen = store.get("speed");
    if (chosen && speed.querySelector("option[value='" + chosen + "']")) speed.value = chosen;
    speed.addEventListener("change", function () {
      store.set("speed", speed.value);
      players.forEach(function (p) { p.querySelector("audio").playbackRate = rate(); });
    });
  }

  carryKiosk();
  toggle("larger", "larger");
  toggle("contrast", "contrast");
  station();
  if (kiosk) {
    var home = document.querySelector("[data-home]");
    idleReturn(home ? home.getAttribute("href") : null);
  }
})();
