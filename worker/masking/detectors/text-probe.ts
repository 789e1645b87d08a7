// Cheap facts about a text, counted in one pass, that the digit-based
// detectors (card, phone, SSN, IPv4, IPv6) require before their regex runs:
// most strings in a trace (ids, names, timestamps) fail them.
//
// `digitRun` is the longest run of digits in which at most two separator
// characters ( space - . ( ) ) stand between digits: "+1 (415) 555-0100"
// has a run of 11, "2025-10-30T08:45" has 8.

export interface TextNeeds {
  digits?: number;
  digitRun?: number;
  dots?: number;
  colons?: number;
}

export interface TextFacts {
  digits: number;
  digitRun: number;
  dots: number;
  colons: number;
}

export function countTextFacts(text: string, facts: TextFacts): void {
  let digits = 0;
  let dots = 0;
  let colons = 0;
  let run = 0;
  let best = 0;
  let gap = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      run++;
      gap = 0;
      if (run > best) best = run;
      continue;
    }
    if (c === 46) dots++;
    else if (c === 58) colons++;
    if ((c === 32 || c === 45 || c === 46 || c === 40 || c === 41) && gap < 2) gap++;
    else {
      run = 0;
      gap = 0;
    }
  }
  facts.digits = digits;
  facts.digitRun = best;
  facts.dots = dots;
  facts.colons = colons;
}

export function meetsNeeds(facts: TextFacts, needs: TextNeeds): boolean {
  return (
    facts.digits >= (needs.digits ?? 0) &&
    facts.digitRun >= (needs.digitRun ?? 0) &&
    facts.dots >= (needs.dots ?? 0) &&
    facts.colons >= (needs.colons ?? 0)
  );
}
