/**
 * `YYYYMMDDTHHMMSSmmmZ`: a UTC time that sorts as text. Keys of objects written once per event
 * (feedback requests, journal notes) start with it, so a listing (in key order on every store) is in
 * time order, and a monitor's position can name "everything before" as one key.
 */
export function timeKey(time: Date): string {
  return time.toISOString().replace(/[-:.]/g, '');
}
