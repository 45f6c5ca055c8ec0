// Kubernetes resource quantities ("500m", "1Gi", "2e3"), parsed to plain numbers so that
// settings can compare limits with requests. The grammar is apimachinery's
// (k8s.io/apimachinery/pkg/api/resource): a decimal number, then one suffix.

const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const DECIMAL_SUFFIXES: Record<string, number> = {
  m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** The quantity's value in base units (bytes, cores), or undefined if it is not a quantity. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) {
    return undefined;
  }
  const [, number, suffix = ""] = match;
  const multiplier = BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix] ?? 10 ** Number(suffix.slice(1));
  return Number(number) * multiplier;
}

/** A likely intended spelling of a memory quantity people often get wrong ("2GB", "512mb", "1 Gi"). */
export function suggestMemoryQuantity(text: string): string | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtpe])(?:i?b?)\s*$/i.exec(text);
  if (!match) {
    return undefined;
  }
  const unit = match[2].toLowerCase() === "k" ? "K" : match[2].toUpperCase();
  return `${match[1]}${unit}i`;
}

/** Formats a byte count the way people read memory sizes: "256Mi", "1.5Gi". */
export function formatBytes(bytes: number): string {
  const units = ["Ki", "Mi", "Gi", "Ti"];
  let value = bytes;
  let unit = "";
  for (const next of units) {
    if (value < 1024) {
      break;
    }
    value /= 1024;
    unit = next;
  }
  return `${Number(value.toFixed(2))}${unit}`;
}
