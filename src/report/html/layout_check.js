// Layout check for the HTML report, run by `html_tests` in headless Chromium (never shipped: the
// report itself has no script). It writes what it finds, as JSON, into <pre id="layout-problems">.
(function () {
  var problems = [];
  var page = document.querySelector("table.page");
  var mm = 96 / 25.4;
  var say = function (what, el) {
    var text = (el && el.textContent ? el.textContent : "").replace(/\s+/g, " ").slice(0, 80);
    problems.push(what + (text ? ": " + text : ""));
  };
  // The page keeps to A4's printable width and nothing spills sideways.
  if (page && page.getBoundingClientRect().width > 184 * mm + 1) {
    say("page wider than 184 mm (" + Math.round(page.getBoundingClientRect().width / mm) + " mm)");
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    say("the page scrolls sideways");
  }
  // No text runs out of its box.
  var boxes = document.querySelectorAll("h1, h2, h3, p, li, td, th, div");
  for (var i = 0; i < boxes.length; i++) {
    var el = boxes[i];
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      say("text wider than its box (" + el.tagName.toLowerCase() + ")", el);
    }
  }
  // Inside each chart: texts inside the picture, no text over another, a text that touches a
  // box (class "box") or a dot lies wholly inside it, and no dot covers another.
  var inside = function (a, b) {
    return a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 &&
      a.y + a.height <= b.y + b.height + 0.5;
  };
  var meet = function (a, b) {
    return a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 &&
      a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
  };
  var svgs = document.querySelectorAll("svg");
  for (var s = 0; s < svgs.length; s++) {
    var svg = svgs[s];
    var vb = svg.viewBox.baseVal;
    var frame = { x: vb.x, y: vb.y, width: vb.width, height: vb.height };
    var texts = Array.prototype.map.call(svg.querySelectorAll("text"), function (t) {
      var b = t.getBBox();
      // Rotated axis titles: their box is measured before the rotation.
      return { el: t, b: b, rotated: t.hasAttribute("transform") };
    });
    var solids = Array.prototype.map.call(svg.querySelectorAll("rect.box, circle.dot"), function (r) {
      return { el: r, b: r.getBBox() };
    });
    texts.forEach(function (t, k) {
      if (!t.rotated && !inside(t.b, frame)) say("chart text outside its chart", t.el);
      texts.slice(k + 1).forEach(function (u) {
        if (!t.rotated && !u.rotated && meet(t.b, u.b)) say("chart texts overlap", t.el);
      });
      solids.forEach(function (r) {
        if (!t.rotated && meet(t.b, r.b) && !inside(t.b, r.b)) say("chart text spills over a shape", t.el);
      });
    });
    var dots = solids.filter(function (r) { return r.el.tagName === "circle"; });
    dots.forEach(function (d, k) {
      dots.slice(k + 1).forEach(function (e) {
        var dx = d.b.x - e.b.x, dy = d.b.y - e.b.y;
        if (Math.sqrt(dx * dx + dy * dy) < d.b.width - 0.5) say("chart dots overlap");
      });
    });
  }
  var out = document.createElement("pre");
  out.id = "layout-problems";
  out.textContent = JSON.stringify(problems);
  document.body.appendChild(out);
})();
