/**
 * @ksk/xml — the strict reader every XML file of the toolkit goes through (KSR, SKR,
 * root-anchors.xml) and the walker that checks elements against a content model. See README.md.
 */
export {
  type ContentModel,
  type Occurs,
  type StrictXmlOptions,
  type XmlCodes,
  type XmlElement,
  XmlWalker,
  readStrictXml,
} from "./strict-xml.js";
