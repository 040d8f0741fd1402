import type { DecodedValue, MapDump, ScenarioObservation } from '@ebpf-lab/protocol';
import { isAllZero } from './bytes.ts';

function Value({ value, hex }: { value?: DecodedValue; hex: string }) {
  if (!value) return <code className="hex">{hex}</code>;
  switch (value.kind) {
    case 'int':
    case 'ptr':
      return <code>{value.value}</code>;
    case 'enum':
      return <code>{value.name ?? value.value}</code>;
    case 'chars':
      return <code title={value.hex}>"{value.text}"</code>;
    case 'raw':
      return <code className="hex">{value.hex}</code>;
    case 'array':
      return (
        <code>
          [
          {value.items.map((item, i) => (
            <span key={i}>
              {i > 0 && ', '}
              <Value value={item} hex="" />
            </span>
          ))}
          ]
        </code>
      );
    case 'struct': {
      const garbage = (value.padding ?? []).filter((p) => !isAllZero(p.hex));
      return (
        <span className="struct">
          {value.fields.map((f) => (
            <span key={f.name} className="field">
              <span className="field-name">.{f.name}</span> = <Value value={f.value} hex="" />
            </span>
          ))}
          {garbage.map((p) => (
            <span
              key={`pad-${p.offset}`}
              className="field padding-garbage"
              title="Padding bytes that are not zero: a lookup with this key will only match the same garbage. Zero the struct (= {}) before filling it."
            >
              <span className="field-name">padding @{p.offset}</span> = <code>{p.hex}</code>
            </span>
          ))}
        </span>
      );
    }
  }
}

function MapTable({ map }: { map: MapDump }) {
  return (
    <section className="map" aria-label={`Map ${map.name}`} data-testid={`map-${map.name}`}>
      <h4 className="map-title">
        <code>{map.name}</code>{' '}
        <span className="muted">
          {map.type} · key {map.keyType ?? `${map.keySize} B`} · value{' '}
          {map.valueType ?? `${map.valueSize} B`} · {map.entries.length} of max {map.maxEntries}
        </span>
      </h4>
      {map.entries.length === 0 ? (
        <p className="empty">Empty after the run.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {map.entries.map((entry, i) => (
              <tr key={i}>
                <td>
                  <Value value={entry.key} hex={entry.keyHex} />
                </td>
                <td>
                  <Value value={entry.value} hex={entry.valueHex} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {map.truncated && <p className="muted small">More entries existed than the lab dumps.</p>}
    </section>
  );
}

export function MapTables({ observations }: { observations: ScenarioObservation[] }) {
  const withMaps = observations.filter((o) => o.maps.length > 0);
  if (withMaps.length === 0)
    return <p className="empty">Your program has no maps to show for this run.</p>;
  return (
    <div className="maps">
      {withMaps.map((obs) => (
        <div key={obs.scenario}>
          <h3 className="section-title">After scenario {obs.scenario}</h3>
          {obs.maps.map((map) => (
            <MapTable key={map.name} map={map} />
          ))}
        </div>
      ))}
    </div>
  );
}
