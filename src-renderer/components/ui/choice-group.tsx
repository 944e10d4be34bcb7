export interface Choice<T extends string> {
  value: T;
  label: string;
}

export interface ChoiceGroupProps<T extends string> {
  name: string;
  label: string;
  value: T;
  choices: readonly Choice<T>[];
  onChange: (value: T) => void;
  disabled?: boolean;
}

/** A segmented radio group: one native radio per choice, so arrow keys move between them. */
export function ChoiceGroup<T extends string>({
  name,
  label,
  value,
  choices,
  onChange,
  disabled = false,
}: ChoiceGroupProps<T>) {
  return (
    <fieldset className="choice-group" disabled={disabled}>
      <legend>{label}</legend>
      <div className="segmented" role="radiogroup" aria-label={label}>
        {choices.map((choice) => (
          <label
            key={choice.value}
            className={choice.value === value ? 'is-selected' : undefined}
            data-testid={`${name}-${choice.value}`}
          >
            <input
              type="radio"
              name={name}
              value={choice.value}
              checked={choice.value === value}
              onChange={() => onChange(choice.value)}
            />
            {choice.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
