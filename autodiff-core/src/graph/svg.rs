//! [`Graph::to_svg`]: the graph laid out left to right and drawn by
//! `layout-rs`, a pure-Rust implementation of Graphviz's layered layout.

use super::{display_label, Graph};
use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::style::StyleAttr;
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;
use std::string::String;
use std::vec::Vec;

/// The font size of the boxes' text, in pixels.
const FONT: usize = 14;

pub(super) fn draw(g: &Graph) -> String {
    if g.nodes.is_empty() {
        // Nothing to lay out (layout-rs expects at least one node).
        return String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<svg width=\"0\" height=\"0\" xmlns=\"http://www.w3.org/2000/svg\"></svg>",
        );
    }
    let dir = Orientation::LeftToRight;
    let mut vg = VisualGraph::new(dir);
    let handles: Vec<_> = g
        .nodes
        .iter()
        .map(|n| {
            let shape = ShapeKind::new_box(&display_label(n));
            // RGBA: inputs blue, outputs red, the rest white (as in `to_dot`).
            let fill = if n.input {
                0xe8f0_feff
            } else if n.output {
                0xfde8_e8ff
            } else {
                0xffff_ffff
            };
            let look = StyleAttr::new(
                Color::fast("black"),
                if n.output { 2 } else { 1 },
                Some(Color::new(fill)),
                if n.input { 8 } else { 0 },
                FONT,
            );
            // Boxes grow along the other axis in a left-to-right layout.
            let size = get_shape_size(dir.flip(), &shape, FONT, false);
            vg.add_node(Element::create(shape, look, dir, size))
        })
        .collect();
    for &(a, b) in &g.edges {
        vg.add_edge(Arrow::simple(""), handles[a], handles[b]);
    }
    let mut svg = SVGWriter::new();
    vg.do_it(false, false, false, &mut svg);
    svg.finalize()
}
