/** A table's header row: one column header per label, in order. */
export function TableHead( { columns }: { columns: readonly string[] } ) {
	return (
		<thead>
			<tr>
				{ columns.map( ( label ) => (
					<th key={ label } scope="col">
						{ label }
					</th>
				) ) }
			</tr>
		</thead>
	);
}
