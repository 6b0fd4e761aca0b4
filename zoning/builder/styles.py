"""QGIS styles of a build: the ``layer_styles`` table of its GeoPackage, so that the zones,
units and communes open in QGIS drawn as on the map.

QGIS reads a GeoPackage's ``layer_styles`` table (``f_table_name``, ``f_geometry_column``,
``styleName``, ``styleQML``, ``styleSLD``, ``useAsDefault``, …) and applies the default
style of a layer when the layer is added. Each style is written twice: as QML (QGIS's own
format: a categorised renderer on ``zone`` for zones and units, a simple outline for
communes, labels) and as SLD (the OGC format other GIS programs read). The colours and the
category labels come from ``maps/terms.yaml`` (:mod:`zoning.terms`), the opacities and
line widths from the map style (``maps/style.yaml``): the build looks the same in QGIS
as on the map.

The module lives in the builder, not in the outputs, because the build file carries the
styles and the builder never imports an output.
"""

from __future__ import annotations

from functools import lru_cache
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pandas as pd
import yaml

from zoning import terms
from zoning.resources import path as data_path
from zoning.terms import ZONE_ORDER

STYLED_LAYERS = ("zones", "units", "communes")
GEOMETRY_COLUMN = "geom"  # the geometry column GDAL gives a GeoPackage layer
STYLE_NAME = "zoning"
STYLE_TIMESTAMP = pd.Timestamp("2000-01-01T00:00:00Z")  # fixed: same build → same file
PIXEL_MM = 0.26  # a screen pixel of the map style, in QGIS millimetres
QGIS_VERSION = "3.28.0"
LABEL_FIELDS = {"units": "name", "communes": "name"}
COMMUNE_LINE = "#4a4a4a"


def layer_styles() -> pd.DataFrame:
    """The ``layer_styles`` table of a build GeoPackage: one default style per styled layer."""
    rows = []
    for layer in STYLED_LAYERS:
        rows.append({
            "f_table_catalog": "", "f_table_schema": "", "f_table_name": layer, "f_geometry_column": GEOMETRY_COLUMN,
            "styleName": STYLE_NAME, "styleQML": layer_qml(layer), "styleSLD": layer_sld(layer), "useAsDefault": True,
            "description": f"{_layer_title(layer)} — colours and names of maps/terms.yaml", "owner": "", "ui": "",
            "update_time": STYLE_TIMESTAMP,
        })
    return pd.DataFrame(rows)


def zone_label(zone: str) -> str:
    """The legend label of a zone: Vietnamese name, then English."""
    vi, en = terms.pair("zones", zone)
    return f"{vi} / {en}"


def layer_qml(layer: str) -> str:
    """The QGIS style (QML) of a build layer."""
    if layer == "communes":
        renderer = (
            '<renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0">'
            f"<symbols>{_fill_symbol('0', '#ffffff', 0.0, COMMUNE_LINE, _style()['communes']['weight'], 'dash')}</symbols>"
            "</renderer-v2>"
        )
    else:
        categories = "".join(
            f'<category symbol="{i}" value={quoteattr(zone)} label={quoteattr(zone_label(zone))} render="true"/>' for i, zone in enumerate(ZONE_ORDER)
        )
        symbols = "".join(_fill_symbol(str(i), *_zone_paint(layer, zone)) for i, zone in enumerate(ZONE_ORDER))
        renderer = (
            '<renderer-v2 type="categorizedSymbol" attr="zone" symbollevels="0" forceraster="0" enableorderby="0">'
            f"<categories>{categories}</categories><symbols>{symbols}</symbols></renderer-v2>"
        )
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Labeling">{renderer}{_labeling(layer)}</qgis>\n'
    )


def layer_sld(layer: str) -> str:
    """The same style as OGC SLD 1.1 (Symbology Encoding)."""
    if layer == "communes":
        rules = _sld_rule("communes", _layer_title(layer), None, "#ffffff", 0.0, COMMUNE_LINE, _style()["communes"]["weight"], dashed=True)
    else:
        rules = "".join(_sld_rule(zone, zone_label(zone), zone, *_zone_paint(layer, zone)) for zone in ZONE_ORDER)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" '
        'xmlns:se="http://www.opengis.net/se" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">'
        f"<NamedLayer><se:Name>{xml_escape(layer)}</se:Name><UserStyle><se:Name>{STYLE_NAME}</se:Name>"
        f"<se:FeatureTypeStyle>{rules}</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n"
    )


# ------------------------------------------------------------------------------ helpers


@lru_cache(maxsize=1)
def _style() -> dict:
    """The map style (opacities and line widths), shared with the HTML map."""
    return yaml.safe_load(data_path("maps", "style.yaml").read_text(encoding="utf-8"))


def _zone_paint(layer: str, zone: str) -> tuple[str, float, str, float]:
    """Fill colour, fill opacity, line colour and line width (pixels) of a zone in a layer."""
    style = _style()
    if layer == "units":
        return terms.colour("zones", zone), style["units"]["fill_opacity"], terms.colour("zones", zone, "stroke"), style["units"]["weight"]
    paint = style["zones"][zone]
    return terms.colour("zones", zone), paint["fill_opacity"], terms.colour("zones", zone, "stroke"), paint["weight"]


def _rgba(colour: str, opacity: float = 1.0) -> str:
    """``#d7191c`` → ``215,25,28,255`` (QGIS colour text)."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"{red},{green},{blue},{round(255 * opacity)}"


def _fill_symbol(name: str, fill: str, fill_opacity: float, line: str, width_px: float, line_style: str = "solid") -> str:
    """A QML fill symbol (written both as ``Option`` map, QGIS ≥ 3.26, and as ``prop`` list, older QGIS)."""
    properties = {
        "color": _rgba(fill, fill_opacity), "outline_color": _rgba(line), "outline_style": line_style,
        "outline_width": f"{width_px * PIXEL_MM:.3f}", "outline_width_unit": "MM", "style": "solid", "joinstyle": "round",
    }
    options = "".join(f'<Option name="{k}" type="QString" value={quoteattr(v)}/>' for k, v in properties.items())
    props = "".join(f'<prop k="{k}" v={quoteattr(v)}/>' for k, v in properties.items())
    return (
        f'<symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="SimpleFill" enabled="1" locked="0" pass="0"><Option type="Map">{options}</Option>{props}</layer></symbol>'
    )


def _labeling(layer: str) -> str:
    field = LABEL_FIELDS.get(layer)
    if field is None:
        return ""
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName="{field}" isExpression="0" fontSize="8" fontSizeUnit="Point" textColor="50,50,50,255" '
        'fontFamily="Arial" namedStyle="Regular" textOpacity="1"><text-buffer bufferDraw="1" bufferSize="0.8" '
        'bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.8"/></text-style>'
        '<placement placement="1" fitInPolygonOnly="1"/><rendering scaleVisibility="1" scaleMin="1" '
        f'scaleMax="{100000 if layer == "communes" else 50000}"/></settings></labeling>'
    )


def _sld_rule(name: str, title: str, zone: str | None, fill: str, fill_opacity: float, line: str, width_px: float, dashed: bool = False) -> str:
    condition = (
        f"<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>zone</ogc:PropertyName><ogc:Literal>{xml_escape(zone)}</ogc:Literal>"
        "</ogc:PropertyIsEqualTo></ogc:Filter>" if zone is not None else ""
    )
    dash = '<se:SvgParameter name="stroke-dasharray">4 3</se:SvgParameter>' if dashed else ""
    return (
        f"<se:Rule><se:Name>{xml_escape(name)}</se:Name><se:Description><se:Title>{xml_escape(title)}</se:Title></se:Description>"
        f"{condition}<se:PolygonSymbolizer><se:Fill><se:SvgParameter name=\"fill\">{fill}</se:SvgParameter>"
        f"<se:SvgParameter name=\"fill-opacity\">{fill_opacity:g}</se:SvgParameter></se:Fill>"
        f"<se:Stroke><se:SvgParameter name=\"stroke\">{line}</se:SvgParameter>"
        f"<se:SvgParameter name=\"stroke-width\">{width_px:g}</se:SvgParameter>{dash}</se:Stroke></se:PolygonSymbolizer></se:Rule>"
    )


def _layer_title(layer: str) -> str:
    return {"zones": "Các vùng / Zones", "units": "Khu vực / Units", "communes": "Xã, phường / Communes"}[layer]
