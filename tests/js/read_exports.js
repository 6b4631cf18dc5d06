// Read btctrace's interchange files with the readers investigators' tools use and print what
// they saw as JSON: graphology-graphml and graphology-gexf (Gephi Lite, sigma.js) and
// Cytoscape.js (cy.json). Usage: node read_exports.js OUTDIR
"use strict";
const fs = require("fs");
const path = require("path");
const { DOMParser } = require("@xmldom/xmldom");
const Graph = require("graphology");
const graphml = require("graphology-graphml");
const gexf = require("graphology-gexf");
const cytoscape = require("cytoscape");

const folder = process.argv[2];
const read = (name) => fs.readFileSync(path.join(folder, name), "utf8");

function summary(graph) {
  const labels = [];
  graph.forEachNode((node, attributes) => labels.push(attributes.label || ""));
  return { nodes: graph.order, edges: graph.size, unlabelled: labels.filter((l) => !l).length,
           edge_ids: graph.edges().length, unique_edge_ids: new Set(graph.edges()).size };
}

const result = {};
for (const name of ["graph.graphml", "clusters.graphml"]) {
  try {
    result[name] = summary(graphml.parse(Graph.MultiDirectedGraph, read(name), { DOMParser }));
  } catch (error) {
    result[name] = { error: String(error) };
  }
}
try {
  result["graph.gexf"] = summary(gexf.parse(Graph.MultiDirectedGraph, read("graph.gexf")));
} catch (error) {
  result["graph.gexf"] = { error: String(error) };
}
try {
  const document = JSON.parse(read("cytoscape.json"));
  const cy = cytoscape({ headless: true });
  cy.json(document);
  result["cytoscape.json"] = { nodes: cy.nodes().length, edges: cy.edges().length, data: cy.data(),
                               unlabelled: cy.nodes().filter((n) => !n.data("label")).length };
} catch (error) {
  result["cytoscape.json"] = { error: String(error) };
}
process.stdout.write(JSON.stringify(result) + "\n");
