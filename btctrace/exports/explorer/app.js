// btctrace case explorer: the trace's graph in Cytoscape.js, offline, with the evidence of every
// node and edge. Data comes only from the JSON block on this page and is only ever put on the
// page as text (textContent), never as HTML.
(function () {
  "use strict";
  var doc = JSON.parse(document.getElementById("btctrace-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var SATS = 100000000;
  var ENTITY_FONT = 12, MIN_TEXT_PX = 10;  // the first view's text is at least MIN_TEXT_PX on screen
  var colours = {};
  doc.legend.forEach(function (item) { colours[item.style] = item.colour; });
  var views = {
    address: { nodes: doc.address_view.nodes, edges: doc.address_view.edges },
    entity: { nodes: doc.entity_view.nodes, edges: doc.entity_view.edges }
  };
  var current = "entity";  // first the overview: who paid whom; the address view is one click away
  var cy = null;
  var expanded = {};  // folds the analyst opened

  function btc(sats) {
    var whole = Math.floor(sats / SATS), frac = String(sats % SATS);
    while (frac.length < 8) { frac = "0" + frac; }
    return whole + "." + frac + " BTC";
  }

  function elements(view) {
    var list = [];
    views[view].nodes.forEach(function (n) {
      var colour = view === "entity" ? n.colour : (colours[n.style] || "#bbbbbb");
      list.push({ group: "nodes", data: Object.assign({}, n, { colour: colour, shape: n.kind === "tx" ? "rectangle" :
        (view === "entity" ? "round-rectangle" : "ellipse") }) });
    });
    var hidden = {};
    (view === "address" ? doc.address_view.folds : []).forEach(function (fold) {
      if (expanded[fold.id]) { return; }
      fold.members.forEach(function (m) { hidden[m] = true; });
      list.push({ group: "nodes", data: { id: fold.id, kind: "fold", label: fold.label + " (click to expand)",
        colour: "#dddddd", shape: "ellipse", members: fold.members, value: fold.value, hop: 0 } });
      var edges = fold.edges || [{ source: fold.side === "out" ? fold.tx : fold.id,
                                   target: fold.side === "out" ? fold.id : fold.tx, value: fold.value }];
      edges.forEach(function (e, i) {
        list.push({ group: "edges", data: { id: fold.id + ":edge" + i, source: e.source, target: e.target,
          value: e.value, name: btc(e.value) } });
      });
    });
    var present = {};
    list = list.filter(function (el) { return el.group === "edges" || !hidden[el.data.id]; });
    list.forEach(function (el) { if (el.group === "nodes") { present[el.data.id] = true; } });
    list = list.filter(function (el) { return el.group === "nodes" || (present[el.data.source] && present[el.data.target]); });
    var amounts = {};  // the entity view laid out by the engine: each arrow runs through its amount's box
    (view === "entity" ? doc.entity_view.amounts || [] : []).forEach(function (a) { amounts[a.flow] = a; });
    views[view].edges.forEach(function (e) {
      if (hidden[e.source] || hidden[e.target] || (view === "address" && !(present[e.source] && present[e.target]))) {
        return;
      }
      var box = amounts[e.id];
      if (box) {
        list.push({ group: "nodes", data: Object.assign({}, e, box, { colour: "#ffffff", shape: "rectangle" }) });
        list.push({ group: "edges", data: Object.assign({}, e, { id: e.id + ":in", target: box.id, into: true,
          flowbox: true }) });
        list.push({ group: "edges", data: Object.assign({}, e, { id: e.id + ":out", source: box.id, flowbox: true }) });
        return;
      }
      list.push({ group: "edges", data: Object.assign({}, e, { name: view === "entity" ? (e.transfers === 1 ?
        "1 transfer, " + btc(e.value) : e.transfers + " transfers,\n" + btc(e.value) + " in total") : btc(e.value) }) });
    });
    return list;
  }

  var style = [
    { selector: "node", style: { "background-color": "data(colour)", "shape": "data(shape)", "label": "data(label)",
      "font-size": 9, "text-wrap": "wrap", "text-max-width": 140, "text-valign": "bottom", "border-width": 1,
      "border-color": "#333", "width": 18, "height": 18, "min-zoomed-font-size": 7 } },
    { selector: "node[kind = 'tx']", style: { "width": 10, "height": 10, "label": "" } },
    { selector: "node[?colour][column]", style: { "width": 170, "height": 64, "text-valign": "center",
      "font-size": ENTITY_FONT, "text-max-width": 160 } },
    { selector: "edge", style: { "width": 1, "line-color": "#888", "target-arrow-color": "#888",
      "target-arrow-shape": "triangle", "curve-style": "bezier", "label": "", "font-size": 8 } },
    { selector: "edge[txid]", style: { "curve-style": "straight" } },  // address view: thousands of edges
    { selector: "node[kind = 'address']", style: { "label": "" } },  // names once zoomed in (see showLabels)
    { selector: "node[kind = 'address'].named, node[kind = 'fold']", style: { "label": "data(label)" } },
    { selector: "edge[transfers][!flowbox]", style: { "label": "data(name)", "text-background-color": "#fff",
      "text-background-opacity": 0.9, "font-size": ENTITY_FONT - 1, "text-wrap": "wrap" } },
    { selector: "node[w]", style: { "width": "data(w)", "height": "data(h)", "font-family": "DejaVu Sans, sans-serif" } },
    { selector: "node[kind = 'amount']", style: { "border-width": 0.5, "border-color": "#bbbbbb", "text-valign": "center",
      "font-size": ENTITY_FONT - 1, "text-max-width": 400, "label": "data(label)" } },
    { selector: "edge[?into]", style: { "target-arrow-shape": "none", "label": "" } },
    { selector: "node[?sanctioned]", style: { "border-color": "#c00000", "border-width": 4 } },
    // the path keeps every node's size (a node's "width" is its size, not a line width)
    { selector: "edge.path", style: { "line-color": "#d62728", "target-arrow-color": "#d62728", "width": 3 } },
    { selector: "node.path", style: { "border-color": "#d62728", "border-width": 3 } },
    { selector: ":selected", style: { "border-color": "#0057b8", "border-width": 4, "line-color": "#0057b8" } },
    { selector: ".note", style: { "border-color": "data(noteColour)", "border-width": 4 } },
    { selector: ".hidden", style: { "display": "none" } }
  ];

  function showLabels() {
    // the address view names its nodes only when they are big enough to read: laying out
    // thousands of labels nobody can read would make a large case slow to open
    var readable = cy.zoom() >= 0.45, named = cy.nodes(".named").length > 0;
    if (readable !== named) {
      cy.batch(function () { if (readable) { cy.nodes().addClass("named"); } else { cy.nodes().removeClass("named"); } });
    }
  }

  function fitPositions() {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    cy.nodes().forEach(function (n) {
      var p = n.position();
      x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
    });
    var width = cy.width(), height = cy.height(), pad = 40;
    var zoom = Math.min((width - 2 * pad) / Math.max(x1 - x0, 1), (height - 2 * pad) / Math.max(y1 - y0, 1), 2);
    cy.zoom(zoom);
    cy.pan({ x: width / 2 - zoom * (x0 + x1) / 2, y: height / 2 - zoom * (y0 + y1) / 2 });
  }

  function entityLayout(direction) {
    return { name: "dagre", rankDir: direction, nodeSep: 16, rankSep: direction === "LR" ? 110 : 60, edgeSep: 10,
             animate: false, padding: 30 };
  }

  function readableFirstView() {
    // fitted to the pane, a wide case would shrink its text below what a person reads: then the
    // view keeps the text at MIN_TEXT_PX and starts at the seeds (pan to see the rest)
    var smallest = ENTITY_FONT - 1;
    if (cy.zoom() * smallest >= MIN_TEXT_PX) { return; }
    if (!(doc.entity_view.amounts || []).length) {  // laid out here (no engine): try money down the page too
      var across = cy.zoom();
      cy.layout(entityLayout("TB")).run();
      if (cy.zoom() < across) { cy.layout(entityLayout("LR")).run(); }
      if (cy.zoom() * smallest >= MIN_TEXT_PX) { return; }
    }
    cy.zoom(MIN_TEXT_PX / smallest);
    var seeds = cy.nodes("[kind = 'seed']");
    cy.center(seeds.length ? seeds : cy.nodes());
  }

  function layoutOptions() {
    if ($("layout").value === "time" && current === "address") {
      var times = {}, order = [];
      cy.nodes().forEach(function (n) { var t = n.data("time") || "~"; if (!(t in times)) { times[t] = 0; order.push(t); } });
      order.sort();
      var rank = {}, rows = {};
      order.forEach(function (t, i) { rank[t] = i; });
      return { name: "preset", positions: function (n) {
        var r = rank[n.data("time") || "~"] || 0; rows[r] = (rows[r] || 0) + 1;
        return { x: r * 120, y: rows[r] * 40 }; } };
    }
    if (current === "address" || (doc.entity_view.amounts || []).length) {
      // the address view: the static chart's layering, computed with the data (instant at any size);
      // the entity view: the layout engine's positions, as in the printed chart
      var anchors = {};
      var placed = current === "address" ? doc.address_view.nodes.concat(doc.address_view.folds) :
        doc.entity_view.nodes.concat(doc.entity_view.amounts);
      placed.forEach(function (n) { anchors[n.id] = { x: n.x, y: n.y }; });
      return { name: "preset", fit: false, positions: function (n) { return anchors[n.id()] || { x: 0, y: 0 }; } };
    }
    return entityLayout("LR");
  }

  var timings = {};  // milliseconds of the last draw, per step (read by benchmarks/explorer_open.py)
  function draw() {
    var started = performance.now(), mark = started;
    function step(name) { var now = performance.now(); timings[name] = Math.round(now - mark); mark = now; }
    if (cy) { cy.destroy(); }
    var list = elements(current);
    step("elements");
    cy = cytoscape({ container: $("graph"), elements: list, style: style, layout: { name: "null" } });
    step("graph");
    var options = layoutOptions();
    cy.layout(options).run();
    if (current === "entity") {
      cy.fit(undefined, 24);  // a few dozen boxes: their extents are quick to measure
      readableFirstView();
    } else if (options.fit === false) {
      fitPositions();  // from the positions alone: measuring every label is slow
    }
    step("layout");
    cy.on("zoom", showLabels);
    showLabels();
    cy.on("tap", "node, edge", function (event) {
      if (event.target.data("kind") === "fold") { expanded[event.target.id()] = true; draw(); return; }
      show(event.target);
    });
    $("view").value = current;
    markNotes();
    applyFilters();
    step("filters");
    timings.total = Math.round(performance.now() - started);
    document.body.setAttribute("data-ready", current);
  }
  window.btctraceExplorer = { graph: function () { return cy; }, timings: function () { return timings; },
    open: function (id) { expanded[id] = true; draw(); } };  // for tests and the console (open: as a click on a group)

  function row(table, key, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) { return; }
    var tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
    th.textContent = key;
    td.textContent = Array.isArray(value) ? value.join("\n") : String(value);
    tr.appendChild(th); tr.appendChild(td); table.appendChild(tr);
  }

  function amount(sats) { return typeof sats === "number" ? btc(sats) + " (" + sats + " sat)" : sats; }
  function many(list) { return list && list.length > 12 ? list.slice(0, 12).concat(["and " + (list.length - 12) +
    " more (see the CSV files)"]) : list; }
  // what the panel shows of each kind of element, in plain words; internal fields (layout
  // columns, folds, styles) are never shown
  var FIELDS = {
    address: [["Address", "id"], ["Role in the trace", "role_words"], ["Case file says", "case_role"],
      ["Said in", "case_role_source"], ["Received", "received", amount], ["Sent", "sent", amount],
      ["Cluster", "cluster"], ["Trace stopped here", "stop"]],
    tx: [["Transaction", "id"], ["Time (UTC)", "time"], ["Block", "block"], ["Hop", "hop"], ["Fee", "fee", amount],
      ["Paid out", "value", amount], ["Proven in its block", "proof"]],
    entity: [["What it is", "kind_words"], ["Name", "name"], ["Holds", "detail"], ["Case file says", "case_role"],
      ["Addresses", "addresses", many], ["Transactions", "txids", many]],
    fold: [["Group", "label"], ["Members", "members", many], ["Amount", "value", amount]],
    transfer: [["Amount", "value", amount], ["Transfers", "transfers"], ["Transaction", "txid"],
      ["Output or input", "index"], ["Time (UTC)", "time"], ["First (UTC)", "first"], ["Last (UTC)", "last"],
      ["Transactions", "txids", many]]
  };

  function section(panel, title, lines) {
    if (!lines.length) { return; }
    var h = document.createElement("h4"), table = document.createElement("table");
    h.textContent = title;
    panel.appendChild(h);
    lines.forEach(function (line) { row(table, line[0], line[1]); });
    panel.appendChild(table);
  }

  function evidence(panel, data) {
    section(panel, "Attribution", (data.tags || []).map(function (t) {
      return [t.label, [t.category ? "category: " + t.category : "no category given",
        "source: " + (t.source || "not given"), "confidence: " + (t.confidence || "not stated"),
        "how: " + t.how].concat(t.file ? ["from " + t.file] : [])]; }));
    section(panel, "SANCTIONS", (data.sanctions || []).map(function (s) {
      return [s.list, [s.entry || "entry not named"].concat(s.listed ? ["listed " + s.listed] : [],
        s.source ? ["source: " + s.source] : [])]; }));
    section(panel, "Also in other cases", (data.other_cases || []).map(function (c) {
      return [c.case, [c.id].concat(c["role there"] ? ["role there: " + c["role there"]] : [])]; }));
    var taint = data.taint || {};
    section(panel, "Tainted satoshis received here", Object.keys(taint).sort().map(function (m) {
      return [m, btc(taint[m])]; }));
    var cj = data.coinjoin;
    if (cj) { section(panel, "CoinJoin", [["detector", cj.detector + " (confidence " + cj.confidence + ")"],
      ["why", cj.reason], ["source", cj.source], ["second opinion", cj["second opinion"]]]); }
    var change = data.change;
    if (change) { section(panel, "Change", [["output", change.output === null ? "not decided" : "output " + change.output],
      ["deciding heuristics", (change.deciding || []).join(", ")], ["why", change.reason]]); }
    section(panel, "Clustering merges", (data.merges || []).slice(0, 10).map(function (m) {
      return [m.rule, [m.a + " + " + m.b, "in " + m.txid, m.source]]; }).concat(
      (data.merges || []).length > 10 ? [["and", (data.merges.length - 10) + " more (merges.csv)"]] : []));
  }

  function show(element) {
    var data = element.data(), panel = $("panel"), table = document.createElement("table");
    var kind = element.isNode() && data.kind !== "amount" ? (data.kind === "tx" || data.kind === "address" ||
      data.kind === "fold" ? data.kind : "entity") : "transfer";
    panel.textContent = "";
    var heading = document.createElement("h3");
    heading.textContent = {address: "Address", tx: "Transaction", entity: "Entity", fold: "Group", transfer:
      "Transfer"}[kind] + (data.sanctioned ? " (ON A SANCTIONS LIST)" : "");
    panel.appendChild(heading);
    FIELDS[kind].forEach(function (field) {
      var value = data[field[1]];
      row(table, field[0], field[2] && value !== undefined && value !== null ? field[2](value) : value);
    });
    panel.appendChild(table);
    evidence(panel, data);
    var note = notes[data.id];
    if (note) {
      var p = document.createElement("p");
      p.className = "analyst";
      p.textContent = "Analyst's note (their words, not btctrace's): " + note.text;
      panel.appendChild(p);
    }
    $("panel").setAttribute("data-id", data.id);
  }

  function applyFilters() {
    // visibility is decided on the data and set with one class, in one batch (no style reads)
    var minimum = Math.round(parseFloat($("min-value").value || "0") * SATS) || 0;
    var low = parseInt($("hop-min").value || "0", 10), high = parseInt($("hop-max").value || "99999", 10);
    var since = $("since").value, until = $("until").value;
    var hiddenEdges = cy.edges().filter(function (e) {
      var time = (e.data("time") || e.data("last") || "").slice(0, 10), hop = e.data("hop");
      return e.data("value") < minimum || (hop !== undefined && (hop < low || hop > high)) ||
        (since && time && time < since) || (until && time && time > until);
    });
    var shownDegree = {};
    cy.edges().difference(hiddenEdges).forEach(function (e) {
      shownDegree[e.data("source")] = true; shownDegree[e.data("target")] = true;
    });
    var hiddenNodes = cy.nodes().filter(function (n) {
      return !shownDegree[n.id()] && n.degree(false) > 0 && doc.seeds.indexOf(n.id()) < 0;
    });
    cy.batch(function () {
      cy.elements(".hidden").removeClass("hidden");
      hiddenEdges.addClass("hidden");
      hiddenNodes.addClass("hidden");
    });
    $("shown").textContent = (cy.nodes().length - hiddenNodes.length) + " of " + cy.nodes().length + " nodes shown";
  }

  function search() {
    var query = $("search").value.trim().toLowerCase();
    if (!query) { return; }
    var found = cy.elements().filter(function (el) {
      var d = el.data();
      return [d.id, d.label, d.txid, d.tag && d.tag.label].some(function (v) {
        return v && String(v).toLowerCase().indexOf(query) >= 0; });
    });
    cy.elements().unselect();
    found.select();
    var nodes = found.nodes().length;
    var transfers = found.length - nodes;
    $("found").textContent = nodes + (nodes === 1 ? " node, " : " nodes, ") + transfers +
      (transfers === 1 ? " transfer found" : " transfers found");
    if (found.length) {
      cy.fit(found, 80);
      if (cy.zoom() > 2) { cy.zoom(2); cy.center(found); }  // one node found: near, not filling the pane
      show(found[0]);
    }
  }

  function pathFromSeed() {
    var id = $("panel").getAttribute("data-id"), target = id && cy.getElementById(id);
    cy.elements().removeClass("path");
    if (!target || !target.length) { return; }
    var seeds = cy.nodes().filter(function (n) {
      return doc.seeds.indexOf(n.id()) >= 0 || (n.data("kind") === "seed"); });
    var best = null;
    seeds.forEach(function (seed) {
      var run = cy.elements().dijkstra({ root: seed, directed: true });
      var distance = run.distanceTo(target);
      if (isFinite(distance) && (best === null || distance < best.distance)) {
        best = { distance: distance, path: run.pathTo(target) };
      }
    });
    var out = $("path-result");
    if (best === null) { out.textContent = "No directed path from a seed to this node."; return; }
    best.path.addClass("path");
    var taint = target.data("taint") || {}, parts = Object.keys(taint).sort().map(function (m) {
      return m + " " + btc(taint[m]); });
    var hops = best.path.edges().length;
    out.textContent = "Path of " + hops + (hops === 1 ? " transfer" : " transfers") + " from the seed" +
      (parts.length ? "; tainted here: " + parts.join(", ") : "; no tainted satoshis recorded here") + ".";
  }

  var notes = {};  // the analyst's notes: those given with --notes, then those added here
  Object.keys(doc.notes || {}).forEach(function (id) { notes[id] = doc.notes[id]; });
  function markNotes() {
    Object.keys(notes).forEach(function (id) {
      var el = cy.getElementById(id);
      if (el.length) { el.data("noteColour", notes[id].colour); el.addClass("note"); }
    });
  }
  function addNote() {
    var id = $("panel").getAttribute("data-id");
    if (!id) { return; }
    notes[id] = { text: $("note-text").value, colour: $("note-colour").value };
    var el = cy.getElementById(id);
    el.data("noteColour", notes[id].colour);
    el.addClass("note");
    show(el);
  }

  function download(name, href) {
    var a = document.createElement("a");
    a.href = href; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }

  function legend() {
    var list = $("legend");
    doc.legend.forEach(function (item) {
      var li = document.createElement("li"), swatch = document.createElement("span");
      swatch.className = "swatch"; swatch.style.backgroundColor = item.colour;
      li.appendChild(swatch); li.appendChild(document.createTextNode(item.text));
      list.appendChild(li);
    });
  }

  $("title").textContent = doc.title;
  if ((doc.sanctions || []).length) {
    var banner = $("banner"), seen = {};
    doc.sanctions.forEach(function (h) { seen[h.address] = true; });
    banner.textContent = "SANCTIONS: " + Object.keys(seen).length + " traced address" +
      (Object.keys(seen).length === 1 ? " is" : "es are") + " on an imported sanctions list (" +
      doc.sanctions.map(function (h) { return h.address + ": " + h.list + ", " + (h.entry || "entry not named"); })
        .join("; ") + "). Dealing with them may be prohibited; check the entry before any action.";
    banner.hidden = false;
  }
  document.title = doc.title + " - btctrace explorer";
  $("hop-max").value = doc.max_hop;
  legend();
  $("view").addEventListener("change", function () { current = $("view").value; draw(); });
  $("layout").addEventListener("change", draw);
  $("apply").addEventListener("click", applyFilters);
  $("search-button").addEventListener("click", search);
  $("search").addEventListener("keydown", function (e) { if (e.key === "Enter") { search(); } });
  $("path").addEventListener("click", pathFromSeed);
  $("add-note").addEventListener("click", addNote);
  $("export-png").addEventListener("click", function () { download("btctrace-view.png", cy.png({ full: true, bg: "#fff" })); });
  $("export-notes").addEventListener("click", function () {
    var body = JSON.stringify({ schema: "btctrace.notes/1", title: doc.title, notes: notes }, null, 1);
    download("btctrace-notes.json", "data:application/json;charset=utf-8," + encodeURIComponent(body));
  });
  draw();
}());
